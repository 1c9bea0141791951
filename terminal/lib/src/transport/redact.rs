//! APDU trace formatting that never shows a PIN or key.

/// Instructions whose command data field is secret and is masked in traces:
/// VERIFY (`20`), CHANGE REFERENCE DATA / PBOC PIN UNBLOCK (`24`), RESET RETRY COUNTER (`2C`),
/// CHANGE PIN / RELOAD PIN (`5E`), WRITE KEY (`D4`), PSAM ENCRYPT/MAC (`FA`: may carry a plain PIN
/// block on its way to encryption). EXTERNAL AUTHENTICATE (`82`) carries a
/// cryptogram, not a secret, and is shown.
pub const SECRET_DATA_INS: [u8; 6] = [0x20, 0x24, 0x2C, 0x5E, 0xD4, 0xFA];

/// Hex of a C-APDU for logs, with the data field of PIN and key commands replaced by
/// `<N bytes redacted>`. Header, Lc and Le stay visible. If the length bytes of a secret-bearing
/// command are inconsistent, everything after the header is masked.
///
/// ```
/// use sscard_terminal::transport::redact;
/// assert_eq!(redact(&[0x00, 0x20, 0x00, 0x00, 0x03, 0x12, 0x34, 0x56]), "0020000003 <3 bytes redacted>");
/// assert_eq!(redact(&[0x00, 0x84, 0x00, 0x00, 0x08]), "0084000008");
/// ```
pub fn redact(cmd: &[u8]) -> String {
    let Some((header, body)) = cmd.split_first_chunk::<4>() else {
        return hex::encode_upper(cmd);
    };
    if !SECRET_DATA_INS.contains(&header[1]) || body.is_empty() {
        return hex::encode_upper(cmd);
    }
    let head = hex::encode_upper(header);
    match split_body(body) {
        Some(Body { lc, data, le }) if !data.is_empty() => {
            let mut s = format!(
                "{head}{} <{} bytes redacted>",
                hex::encode_upper(lc),
                data.len()
            );
            if !le.is_empty() {
                s.push(' ');
                s.push_str(&hex::encode_upper(le));
            }
            s
        }
        // Case 2 (only Le): nothing secret.
        Some(_) => hex::encode_upper(cmd),
        None => format!("{head} <{} bytes redacted>", body.len()),
    }
}

struct Body<'a> {
    lc: &'a [u8],
    data: &'a [u8],
    le: &'a [u8],
}

/// Split what follows the header into Lc, data, Le (ISO 7816-4 cases 2–4, short and extended).
/// `None` when the lengths are inconsistent.
fn split_body(body: &[u8]) -> Option<Body<'_>> {
    let empty: &[u8] = &[];
    match body {
        // case 2 short: Le only
        [_] => Some(Body {
            lc: empty,
            data: empty,
            le: body,
        }),
        // case 2 extended: 00 Le1 Le2
        [0, _, _] => Some(Body {
            lc: empty,
            data: empty,
            le: body,
        }),
        // extended Lc: 00 Lc1 Lc2 data [Le1 Le2]
        [0, hi, lo, rest @ ..] if !rest.is_empty() => {
            let n = usize::from(u16::from_be_bytes([*hi, *lo]));
            let (lc, rest) = body.split_at_checked(3)?;
            let (data, le) = rest.split_at_checked(n)?;
            (n > 0 && (le.is_empty() || le.len() == 2)).then_some(Body { lc, data, le })
        }
        // short Lc: Lc data [Le]
        [n, ..] => {
            let (lc, rest) = body.split_at_checked(1)?;
            let (data, le) = rest.split_at_checked(usize::from(*n))?;
            (*n > 0 && le.len() <= 1).then_some(Body { lc, data, le })
        }
        [] => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use hex_literal::hex;

    #[test]
    fn masks_pin_and_key_data() {
        // VERIFY with a 6-digit packed PIN 123456
        assert_eq!(
            redact(&hex!("0020000003123456")),
            "0020000003 <3 bytes redacted>"
        );
        // CHANGE PIN (PBOC 80 5E 01 00: old FF new)
        assert_eq!(
            redact(&hex!("805E010007123456FF654321")),
            "805E010007 <7 bytes redacted>"
        );
        // RELOAD PIN with MAC
        assert_eq!(
            redact(&hex!("805E00000712345611223344")),
            "805E000007 <7 bytes redacted>"
        );
        // PIN UNBLOCK with MAC (84 24)
        assert_eq!(
            redact(&hex!("84240000081122334455667788")),
            "8424000008 <8 bytes redacted>"
        );
        // WRITE KEY
        assert_eq!(
            redact(&hex!(
                "84D401001C0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C"
            )),
            "84D401001C <28 bytes redacted>"
        );
        // with Le
        assert_eq!(
            redact(&hex!("002000000312345600")),
            "0020000003 <3 bytes redacted> 00"
        );
        // extended Lc
        assert_eq!(
            redact(&hex!("0020000000000212340100")),
            "00200000000002 <2 bytes redacted> 0100"
        );
    }

    #[test]
    fn no_secret_byte_appears() {
        let pin = hex!("987654");
        for cmd in [
            hex!("0020000003987654").to_vec(),
            hex!("002000000398765400").to_vec(),
            hex!("00200000039876").to_vec(), // Lc says 3, only 2 data bytes
            hex!("0020000003987654AABB").to_vec(), // trailing garbage
            hex!("002C000003987654").to_vec(),
        ] {
            let s = redact(&cmd);
            assert!(!s.contains(&hex::encode_upper(pin)), "{s}");
            assert!(!s.contains("9876"), "{s}");
            assert!(s.contains("redacted"), "{s}");
        }
    }

    #[test]
    fn shows_everything_else() {
        assert_eq!(
            redact(&hex!("00A4040010D15600000100000000000000000000")),
            "00A4040010D15600000100000000000000000000"
        );
        assert_eq!(redact(&hex!("0084000008")), "0084000008");
        // EXTERNAL AUTHENTICATE: the cryptogram is not a secret
        assert_eq!(
            redact(&hex!("0082000108AABBCCDDEEFF0011")),
            "0082000108AABBCCDDEEFF0011"
        );
        // VERIFY with no data (ask for tries left) shows as is
        assert_eq!(redact(&hex!("00200000")), "00200000");
        // short garbage
        assert_eq!(redact(&hex!("0020")), "0020");
        assert_eq!(redact(&[]), "");
    }
}
