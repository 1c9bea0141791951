//! The terminal transaction serial (终端交易序号) of a software security module: every purchase
//! MAC1 takes the next one, and a serial must never be given out twice for one terminal (it
//! enters SESPK and the TAC the back end checks). A PSAM keeps its own; [`SerialStore`] is the
//! host's equivalent: in memory (tests) or in a file that is written — new file, fsync, rename —
//! *before* the serial is used, so a crash can skip a serial but never reuse one.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Where the last serial given out is kept.
#[derive(Debug)]
pub enum SerialStore {
    /// In memory: the last serial (`0` = none given out yet).
    Memory(u32),
    /// In this file (decimal text; absent = none given out yet).
    File(PathBuf),
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io { context, source }
}

fn read_last(path: &Path) -> Result<u32> {
    match std::fs::read_to_string(path) {
        Ok(s) => s.trim().parse::<u32>().map_err(|_| Error::Value {
            what: "the terminal serial file",
            expected: "a decimal number 0..4294967295",
            got: format!("{}: {}", path.display(), s.trim()),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(io(format!("cannot read {}", path.display()))(e)),
    }
}

fn write_last(path: &Path, v: u32) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
    }
    let tmp = path.with_extension("tmp");
    let ctx = || format!("cannot write {}", tmp.display());
    let mut f = std::fs::File::create(&tmp).map_err(io(ctx()))?;
    writeln!(f, "{v}").map_err(io(ctx()))?;
    f.sync_all().map_err(io(ctx()))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(io(format!("cannot replace {}", path.display())))
}

impl SerialStore {
    /// The default file: `$SSCARD_STATE_DIR`, else `$XDG_STATE_HOME/sscard`, else
    /// `~/.local/state/sscard`, file `terminal-serial`.
    pub fn default_file() -> Result<SerialStore> {
        let dir = std::env::var_os("SSCARD_STATE_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("XDG_STATE_HOME").map(|d| PathBuf::from(d).join("sscard")))
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state/sscard"))
            })
            .ok_or_else(|| {
                Error::Usage(
                    "no place for the terminal serial file: set SSCARD_STATE_DIR or HOME".into(),
                )
            })?;
        Ok(SerialStore::File(dir.join("terminal-serial")))
    }

    /// The last serial given out (`0`: none).
    pub fn last(&self) -> Result<u32> {
        match self {
            SerialStore::Memory(v) => Ok(*v),
            SerialStore::File(p) => read_last(p),
        }
    }

    /// The next serial, recorded as given out before it is returned. At `FFFFFFFF` the store
    /// is exhausted (as a PSAM's, `docs/purse.md` §4).
    pub fn take_next(&mut self) -> Result<u32> {
        let last = self.last()?;
        let next = last.checked_add(1).ok_or_else(|| {
            Error::SecurityModule("terminal serials exhausted (FFFFFFFF given out)".into())
        })?;
        match self {
            SerialStore::Memory(v) => *v = next,
            SerialStore::File(p) => write_last(p, next)?,
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_counts_up_and_stops_at_the_end() {
        let mut s = SerialStore::Memory(0);
        assert_eq!(s.take_next().unwrap(), 1);
        assert_eq!(s.take_next().unwrap(), 2);
        let mut end = SerialStore::Memory(u32::MAX);
        assert!(end.take_next().is_err());
        assert_eq!(end.last().unwrap(), u32::MAX);
    }

    #[test]
    fn file_survives_a_new_store_and_rejects_garbage() {
        let dir = std::env::temp_dir().join(format!("sscard-serial-{}", std::process::id()));
        let p = dir.join("terminal-serial");
        let _ = std::fs::remove_file(&p);
        let mut a = SerialStore::File(p.clone());
        assert_eq!(a.take_next().unwrap(), 1);
        assert_eq!(a.take_next().unwrap(), 2);
        let mut b = SerialStore::File(p.clone());
        assert_eq!(
            b.take_next().unwrap(),
            3,
            "a new store continues, never reuses"
        );
        std::fs::write(&p, "12x\n").unwrap();
        let err = SerialStore::File(p.clone())
            .take_next()
            .unwrap_err()
            .to_string();
        assert!(err.contains("terminal serial file"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "12x\n",
            "nothing overwritten"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
