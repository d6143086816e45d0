//! The documentation's links: every relative link of the README, `docs/` and the
//! adapters' READMEs names a file or folder that exists, and every `#anchor` a heading of
//! its target (GitHub's slugs). The README stays the entry page: under 250 lines.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The pages checked: the README, every page of `docs/`, the adapters' and clients' READMEs.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let docs = std::fs::read_dir(root().join("docs")).expect("docs/ exists");
    let mut found: Vec<PathBuf> = docs
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    found.sort();
    pages.extend(found);
    for extra in [
        "integrations/django/README.md",
        "integrations/express/README.md",
    ] {
        pages.push(root().join(extra));
    }
    pages
}

/// The text outside fenced code blocks and inline code.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            let mut inline = false;
            for c in line.chars() {
                if c == '`' {
                    inline = !inline;
                } else if !inline {
                    out.push(c);
                }
            }
            out.push('\n');
        }
    }
    out
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(path: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut fenced = false;
    let mut found = BTreeSet::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            found.insert(slug(line.trim_start_matches('#')));
        }
    }
    found
}

/// `(target, line)` of each markdown link `[text](target)` in the prose.
fn links(text: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    for (number, line) in prose(text).lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            found.push((after[..end].to_owned(), number + 1));
            rest = &after[end..];
        }
    }
    found
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let mut broken = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).expect("page is readable");
        let dir = page.parent().expect("a page has a folder");
        for (target, line) in links(&text) {
            if target.starts_with("http://") || target.starts_with("https://") {
                continue;
            }
            let (file, anchor) = match target.split_once('#') {
                Some((file, anchor)) => (file, Some(anchor)),
                None => (target.as_str(), None),
            };
            let path = if file.is_empty() {
                page.clone()
            } else {
                dir.join(file)
            };
            let place = format!("{}:{line}: {target}", page.display());
            if !path.exists() {
                broken.push(format!("{place} (no such file)"));
            } else if let Some(anchor) = anchor
                && !anchors(&path).contains(anchor)
            {
                broken.push(format!("{place} (no such heading)"));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_readme_is_an_entry_page_that_opens_with_the_two_commands() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(readme.lines().count() < 250, "the README is the entry page");
    let opening: Vec<&str> = readme.lines().take(6).collect();
    assert!(
        opening.iter().any(|l| l.starts_with("cargo run --release")),
        "{opening:?}"
    );
    assert!(
        opening.iter().any(|l| l.starts_with("cargo test")),
        "{opening:?}"
    );
    for page in [
        "integrating",
        "operating",
        "evidence",
        "api-changes",
        "development",
    ] {
        assert!(
            readme.contains(&format!("(docs/{page}.md)")),
            "the map links {page}"
        );
    }
}

#[test]
fn the_link_reader_finds_links_and_skips_code() {
    let text = "see [a](docs/a.md#b) and `[not](x)`\n```\n[no](y)\n```\n[c](#d)";
    assert_eq!(
        links(text),
        [("docs/a.md#b".to_owned(), 1), ("#d".to_owned(), 2)]
    );
    assert_eq!(slug(" `POST /v1/check-batch`"), "post-v1check-batch");
    assert_eq!(
        slug("How well does it catch lapses?"),
        "how-well-does-it-catch-lapses"
    );
}
