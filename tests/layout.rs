//! The layout stays honest: no module of `src/` imports one that imports it back (a cycle
//! means a type lives in the wrong module), and none imports a module of a higher layer
//! than its own (the layers are the list in `docs/development.md`). Imports are read from the source text:
//! `crate::a::b` and `super::` paths, each taken to the longest module it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`store::sql`) of every file under `src/`, without `lib` and `main`.
fn modules(dir: &Path, prefix: &str, into: &mut BTreeMap<String, String>) {
    let entries = std::fs::read_dir(dir).expect("src/ is readable");
    for entry in entries.map(|e| e.expect("a directory entry").path()) {
        let stem = entry
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let name = format!("{prefix}{stem}");
        if entry.is_dir() {
            modules(&entry, &format!("{name}::"), into);
        } else if entry.extension().is_some_and(|e| e == "rs") && prefix.len() + stem.len() > 0 {
            if prefix.is_empty() && (stem == "lib" || stem == "main") {
                continue;
            }
            let text = std::fs::read_to_string(&entry).expect("a source file");
            into.insert(name, text);
        }
    }
}

/// The modules a file's text refers to through `crate::` or `super::` paths.
fn imports(module: &str, text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let parent: Vec<&str> = module.split("::").collect();
    let parent = &parent[..parent.len() - 1];
    // Test modules' own imports (`use super::*`) are not part of the layout.
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    for (marker, base) in [("crate::", Vec::new()), ("super::", parent.to_vec())] {
        for (at, _) in text.match_indices(marker) {
            let mut segments = base.clone();
            for segment in text[at + marker.len()..].split("::") {
                let end = segment
                    .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
                    .unwrap_or(segment.len());
                if end > 0 {
                    segments.push(&segment[..end]);
                }
                if end < segment.len() || end == 0 {
                    break;
                }
            }
            let target = (1..=segments.len())
                .rev()
                .map(|n| segments[..n].join("::"))
                .find(|candidate| known.contains(candidate));
            if let Some(target) = target
                && target != module
            {
                found.insert(target);
            }
        }
    }
    found
}

/// A cycle through `start`, if the graph has one.
fn cycle_from(
    node: &str,
    graph: &BTreeMap<String, BTreeSet<String>>,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(at) = path.iter().position(|n| n == node) {
        return Some(path[at..].to_vec());
    }
    if done.contains(node) {
        return None;
    }
    path.push(node.to_owned());
    for next in graph.get(node).into_iter().flatten() {
        if let Some(cycle) = cycle_from(next, graph, path, done) {
            return Some(cycle);
        }
    }
    path.pop();
    done.insert(node.to_owned());
    None
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    modules(&src, "", &mut files);
    assert!(
        files.contains_key("store::sql"),
        "the walk finds nested modules"
    );
    let known: BTreeSet<String> = files.keys().cloned().collect();
    let graph: BTreeMap<String, BTreeSet<String>> = files
        .iter()
        .map(|(module, text)| (module.clone(), imports(module, text, &known)))
        .collect();
    assert!(
        graph["checker"].contains("observer"),
        "imports are read: the checker uses the observer"
    );
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        let cycle = cycle_from(module, &graph, &mut Vec::new(), &mut done);
        assert!(cycle.is_none(), "import cycle: {:?}", cycle);
    }
}

/// The layers of `docs/development.md`, lowest first: each top-level module's layer
/// number.
fn layers() -> BTreeMap<String, usize> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/development.md"))
            .expect("docs/development.md is readable");
    let list = readme
        .split("<!-- layers -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- /layers -->").next())
        .expect("docs/development.md lists the layers between <!-- layers --> markers");
    let mut layer_of = BTreeMap::new();
    for (layer, line) in list.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        // The module names are the backticked words before the colon.
        let names = line.split(':').next().unwrap_or_default();
        for name in names.split('`').skip(1).step_by(2) {
            layer_of.insert(name.to_owned(), layer);
        }
    }
    layer_of
}

#[test]
fn no_module_imports_one_of_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    modules(&src, "", &mut files);
    let known: BTreeSet<String> = files.keys().cloned().collect();
    let layer_of = layers();
    let top = |module: &str| module.split("::").next().unwrap_or_default().to_owned();
    let mut wrong = Vec::new();
    for (module, text) in &files {
        let Some(&own) = layer_of.get(&top(module)) else {
            wrong.push(format!(
                "{module} is in no layer of the list in docs/development.md"
            ));
            continue;
        };
        for target in imports(module, text, &known) {
            let theirs = layer_of.get(&top(&target)).copied().unwrap_or(usize::MAX);
            if theirs > own {
                wrong.push(format!(
                    "{module} (layer {}) imports {target} (layer {})",
                    own + 1,
                    theirs.saturating_add(1)
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports up the layers:\n{}",
        wrong.join("\n")
    );
    assert!(
        layer_of["domain"] < layer_of["store"],
        "the list is read in order"
    );
}
