//! Record contents the write cases send: valid per the spec's field types, and distinct from
//! each other, so what a write did is observable (issue 10, families 1 and 9).

use sscard_specs::types::{DataType, EfSpec};
use sscard_terminal::model::value::{encode_an, encode_cn};

use crate::verdict::{fail, Verdict};

/// A record for the cyclic EF `ef` with every field valid for its type and carrying `n`: an
/// fields hold the decimal `n` (its last digits when the field is shorter; 00-padded), 4-byte cn fields a valid date whose month and day
/// come from `n`, other cn fields the digits of `n` (F-padded), binary fields `n` big-endian.
/// Different `n` (below 10 000) give different records (the date field alone tells apart
/// every `n` below 26 880).
pub(super) fn cyclic_record(ef: &EfSpec, n: u32) -> Result<Vec<u8>, Verdict> {
    let mut r = Vec::new();
    for f in ef.fields {
        let len = usize::from(f.len);
        let bad = |e: &dyn std::fmt::Display| fail(format!("record for {}: {e}", f.name_en));
        let digits = format!("{}", n % 10_000);
        // The last `max` digits of `n`.
        let tail = |max: usize| digits[digits.len().saturating_sub(max)..].to_string();
        r.extend(match f.data_type {
            DataType::An => encode_an(&tail(len), len).map_err(|e| bad(&e))?,
            DataType::Cn if len == 4 => {
                let date = format!(
                    "20{:02}{:02}{:02}",
                    20 + n / 336 % 80,
                    n / 28 % 12 + 1,
                    n % 28 + 1
                );
                encode_cn(&date, len).map_err(|e| bad(&e))?
            }
            DataType::Cn => encode_cn(&tail(len * 2), len).map_err(|e| bad(&e))?,
            _ => {
                let mut b = vec![0u8; len];
                for (d, s) in b.iter_mut().rev().zip(n.to_le_bytes()) {
                    *d = s;
                }
                b
            }
        });
    }
    Ok(r)
}
