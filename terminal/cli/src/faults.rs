//! `sscard conform --fault NAME` (feature `faults`): the card OS's deliberately faulty
//! behaviours, by name, for the emulated card — to see what a failing report looks like.

use sscard_card_os::{Faults, FAULTS};
use sscard_terminal::error::{Error, Quoted, Result};

/// The `--fault` names as a fault table (`None`: `--fault list` was asked for).
pub fn parse(names: &[String]) -> Result<Option<Faults>> {
    let mut faults = Faults::NONE;
    for n in names {
        if n.eq_ignore_ascii_case("list") {
            return Ok(None);
        }
        faults = faults.with(n).ok_or_else(|| {
            Error::Usage(format!(
                "unknown fault {} (`sscard conform --fault list` prints the names)",
                Quoted(n)
            ))
        })?;
    }
    Ok(Some(faults))
}

/// Print every fault's name and description.
pub fn print() {
    for f in FAULTS {
        println!("{:<34} {}", f.name, f.description);
    }
}

/// ` (deliberately faulty: a, b)` for the report's target name.
pub fn suffix(faults: &Faults) -> String {
    if faults.any() {
        format!(
            " (deliberately faulty: {})",
            faults.names().collect::<Vec<_>>().join(", ")
        )
    } else {
        String::new()
    }
}
