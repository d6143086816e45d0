//! `lapseguard import`: a stream of emails and domains, one per line, onto the watch list
//! in batches, in bounded memory. Addresses are reduced to domains as they are read.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

use crate::domain::audit::{AuditAction, AuditEntry, CLI_ACTOR};
use crate::domain::name::{NameError, RegistrableDomain};
use crate::store::{Store, StoreError};

/// Lines per database batch.
pub const BATCH: usize = 1000;
/// Longer lines are rejected without being held (an address is at most 254 octets).
const MAX_LINE: usize = 1024;

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Entries read (blank lines and `#` comments are skipped and not counted).
    pub entries: u64,
    pub added: u64,
    pub already_watched: u64,
    pub rejected: u64,
    /// Rejections by reason code.
    pub rejected_by_code: BTreeMap<&'static str, u64>,
}

/// An entry's registrable domain and its name under a shared suffix, or why it has none.
pub type SharedEntry = Result<(RegistrableDomain, Option<RegistrableDomain>), NameError>;

/// Reads entries, one per line: blank lines and `#` comments are skipped, an over-long
/// line is rejected without being held. Shared by `import` and `coverage`.
pub struct EntryReader<R> {
    input: R,
    line: Vec<u8>,
}

impl<R: AsyncBufRead + Unpin> EntryReader<R> {
    pub fn new(input: R) -> Self {
        Self {
            input,
            line: Vec::with_capacity(256),
        }
    }

    /// The next entry reduced to its registrable domain (or why it cannot be), `None`
    /// at the end of the input.
    pub async fn next(
        &mut self,
    ) -> Result<Option<Result<RegistrableDomain, NameError>>, std::io::Error> {
        let next = self.next_with_shared().await?;
        Ok(next.map(|parsed| parsed.map(|(domain, _)| domain)))
    }

    /// As [`EntryReader::next`], with the entry's name under a shared suffix, if any.
    pub async fn next_with_shared(&mut self) -> Result<Option<SharedEntry>, std::io::Error> {
        loop {
            self.line.clear();
            let read = (&mut self.input)
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut self.line)
                .await?;
            if read == 0 {
                return Ok(None);
            }
            let too_long = self.line.len() > MAX_LINE && !self.line.ends_with(b"\n");
            if too_long {
                // Skip the rest of the over-long line without keeping it.
                let mut rest = Vec::new();
                while !rest.ends_with(b"\n") {
                    rest.clear();
                    if (&mut self.input)
                        .take(4096)
                        .read_until(b'\n', &mut rest)
                        .await?
                        == 0
                    {
                        break;
                    }
                }
            }
            let text = String::from_utf8_lossy(&self.line);
            let entry = text.trim();
            if entry.is_empty() || entry.starts_with('#') {
                continue;
            }
            return Ok(Some(if too_long {
                Err(NameError::AddressTooLong)
            } else {
                RegistrableDomain::of_entry_with_shared(entry)
            }));
        }
    }
}

/// Reads `input` to the end and watches every usable entry as of `now`. `progress` is
/// called after each batch with the summary so far. The whole import is one audit entry
/// (actor `cli`), written at its end with its counts.
pub async fn import<R: AsyncBufRead + Unpin>(
    input: R,
    store: &dyn Store,
    now: DateTime<Utc>,
    mut progress: impl FnMut(&ImportSummary),
) -> Result<ImportSummary, ImportError> {
    let mut summary = ImportSummary::default();
    let mut batch: Vec<RegistrableDomain> = Vec::with_capacity(BATCH);
    let mut entries = EntryReader::new(input);
    while let Some(parsed) = entries.next().await? {
        summary.entries += 1;
        match parsed {
            Ok(domain) => batch.push(domain),
            Err(error) => {
                summary.rejected += 1;
                *summary.rejected_by_code.entry(error.code()).or_default() += 1;
            }
        }
        if batch.len() >= BATCH {
            flush(&mut batch, store, now, &mut summary).await?;
            progress(&summary);
        }
    }
    flush(&mut batch, store, now, &mut summary).await?;
    progress(&summary);
    let details = serde_json::json!({
        "import": true,
        "entries": summary.entries,
        "added": summary.added,
        "already_watched": summary.already_watched,
        "rejected": summary.rejected,
    });
    let target = format!("{} domains", summary.added + summary.already_watched);
    let audit = AuditEntry::new(now, CLI_ACTOR, AuditAction::Watch, target, details);
    store.append_audit(&audit).await?;
    Ok(summary)
}

async fn flush(
    batch: &mut Vec<RegistrableDomain>,
    store: &dyn Store,
    now: DateTime<Utc>,
    summary: &mut ImportSummary,
) -> Result<(), StoreError> {
    let added = store.watch(batch, now, None).await?;
    summary.added += added;
    summary.already_watched += batch.len() as u64 - added;
    batch.clear();
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the input: {0}")]
    Read(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}
