//! The FCI returned by SELECT of the SSSE and its DFs (sscard-spec.md §2.1):
//!
//! ```text
//! 6F L  84 L <DF name>  A5 L  88 01 <SFI>  [9F0C 03 86 01 <algorithm id>]
//! ```
//!
//! `9F0C` (with `86` = algorithm id, `03` = SM4) appears on 3.0 cards; without it hosts assume
//! [`DEFAULT_ALGORITHM_ID`]. The card side builds the FCI with [`write_fci`] (no allocation);
//! with feature `alloc`, [`Fci`] parses and builds it through `iso7816-tlv` (BER-TLV).
//! This is the only FCI codec of the workspace.

/// Tag of the FCI template.
pub const TAG_FCI: u8 = 0x6F;
/// Tag of the DF name.
pub const TAG_DF_NAME: u8 = 0x84;
/// Tag of the proprietary (issuer) template.
pub const TAG_PROPRIETARY: u8 = 0xA5;
/// Tag of the SFI (of the directory EF) inside `A5`.
pub const TAG_SFI: u8 = 0x88;
/// Two-byte tag wrapping the algorithm identifier (3.0 cards).
pub const TAG_ALGORITHM_TEMPLATE: [u8; 2] = [0x9F, 0x0C];
/// Tag of the algorithm identifier inside `9F0C`.
pub const TAG_ALGORITHM_ID: u8 = 0x86;
/// Algorithm id hosts assume when the FCI has no `9F0C` (sscard-spec.md §5.3).
pub const DEFAULT_ALGORITHM_ID: u8 = 0x01;
/// Algorithm id of SM4 (国密) cards.
pub const ALGORITHM_ID_SM4: u8 = 0x03;
/// Longest DF name (ISO 7816-4).
pub const MAX_DF_NAME_LEN: usize = 16;
/// Longest FCI [`Fci::parse`] accepts (bounds the BER-TLV nesting depth).
pub const MAX_FCI_LEN: usize = 1024;

/// A copyable mirror of `iso7816_tlv::TlvError` (which is neither `Copy` nor `std::error::Error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum BerError {
    /// Invalid input (e.g. bytes after the object).
    #[error("invalid input")]
    InvalidInput,
    /// Tag reserved for future use (longer than 3 bytes).
    #[error("tag reserved for future use")]
    TagIsRfu,
    /// Integer conversion error.
    #[error("integer conversion error")]
    ParseInt,
    /// Input ends early.
    #[error("truncated input")]
    Truncated,
    /// Tag and value disagree (constructed vs primitive, length).
    #[error("inconsistent tag and value")]
    Inconsistent,
    /// Invalid length field.
    #[error("invalid length")]
    InvalidLength,
}

/// Why an FCI could not be parsed or built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum FciError {
    /// Malformed BER-TLV.
    #[error("malformed BER-TLV: {0}")]
    Ber(BerError),
    /// The outer tag is not `6F`.
    #[error("not an FCI template (6F)")]
    NotFci,
    /// No DF name (`84`).
    #[error("DF name (84) missing")]
    MissingDfName,
    /// DF name empty or longer than 16 bytes (builders only).
    #[error("DF name must be 1 to 16 bytes")]
    BadDfName,
    /// `88` is not exactly one byte.
    #[error("SFI (88) must be one byte")]
    BadSfi,
    /// `9F0C` does not hold `86 01 <id>`.
    #[error("malformed algorithm identifier (9F0C/86)")]
    BadAlgorithmId,
    /// Longer than [`MAX_FCI_LEN`].
    #[error("FCI too long")]
    TooLong,
    /// The output buffer is too small.
    #[error("output buffer too small")]
    BufferTooSmall,
}

/// Card side: writes `6F L 84 L name A5 L 88 01 sfi [9F0C 03 86 01 alg]` into `out` without
/// allocating, returning the length. `name` must be 1..=16 bytes.
///
/// ```
/// let mut out = [0u8; 40];
/// let n = sscard_apdu::fci::write_fci(b"\xD1\x56\x00\x00\x05\x00", 0x1E, Some(3), &mut out).unwrap();
/// assert_eq!(&out[..n], &[0x6F, 0x13, 0x84, 0x06, 0xD1, 0x56, 0x00, 0x00, 0x05, 0x00,
///     0xA5, 0x09, 0x88, 0x01, 0x1E, 0x9F, 0x0C, 0x03, 0x86, 0x01, 0x03]);
/// ```
pub fn write_fci(name: &[u8], sfi: u8, alg: Option<u8>, out: &mut [u8]) -> Result<usize, FciError> {
    let name_len = u8::try_from(name.len()).map_err(|_| FciError::BadDfName)?;
    if name.is_empty() || name.len() > MAX_DF_NAME_LEN {
        return Err(FciError::BadDfName);
    }
    let prop_len: u8 = if alg.is_some() { 9 } else { 3 };
    let inner = 2 + name_len + 2 + prop_len;
    let mut w = crate::command::Writer { out, pos: 0 };
    let mut put = |b: &[u8]| w.put(b).map_err(|_| FciError::BufferTooSmall);
    put(&[TAG_FCI, inner, TAG_DF_NAME, name_len])?;
    put(name)?;
    put(&[TAG_PROPRIETARY, prop_len, TAG_SFI, 1, sfi])?;
    if let Some(alg) = alg {
        let [t1, t2] = TAG_ALGORITHM_TEMPLATE;
        put(&[t1, t2, 3, TAG_ALGORITHM_ID, 1, alg])?;
    }
    Ok(w.pos)
}

#[cfg(feature = "alloc")]
pub use parse::Fci;

#[cfg(feature = "alloc")]
mod parse {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use iso7816_tlv::ber::{Tag, Tlv, Value};
    use iso7816_tlv::TlvError;

    fn ber(e: TlvError) -> FciError {
        FciError::Ber(match e {
            TlvError::InvalidInput => BerError::InvalidInput,
            TlvError::TagIsRFU => BerError::TagIsRfu,
            TlvError::ParseIntError => BerError::ParseInt,
            TlvError::TruncatedInput => BerError::Truncated,
            TlvError::Inconsistant => BerError::Inconsistent,
            TlvError::InvalidLength => BerError::InvalidLength,
        })
    }

    fn tag(t: u16) -> Result<Tag, FciError> {
        Tag::try_from(t).map_err(ber)
    }

    fn primitive(tlv: &Tlv) -> Option<&[u8]> {
        match tlv.value() {
            Value::Primitive(v) => Some(v),
            Value::Constructed(_) => None,
        }
    }

    /// A parsed FCI (feature `alloc`).
    ///
    /// ```
    /// use sscard_apdu::fci::Fci;
    /// let fci = Fci::parse(&[0x6F, 0x16, 0x84, 0x0F, 0x73, 0x78, 0x31, 0x2E, 0x73, 0x68, 0x2E,
    ///     0xC9, 0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF, 0xA5, 0x03, 0x88, 0x01, 0x1E]).unwrap();
    /// assert_eq!(fci.sfi, Some(0x1E));
    /// assert_eq!(fci.algorithm_id_or_default(), 0x01);
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Fci {
        /// DF name (`84`).
        pub df_name: Vec<u8>,
        /// SFI from `A5 { 88 }`.
        pub sfi: Option<u8>,
        /// Algorithm id from `9F0C { 86 }` (absent on 1.0/2.x cards).
        pub algorithm_id: Option<u8>,
    }

    impl Fci {
        /// Parses a complete FCI (`6F ...`, no trailing bytes, no status word). Unknown tags are
        /// ignored; `88` and `9F0C` are accepted inside `A5` or directly under `6F`.
        pub fn parse(bytes: &[u8]) -> Result<Self, FciError> {
            if bytes.len() > MAX_FCI_LEN {
                return Err(FciError::TooLong);
            }
            let tlv = Tlv::from_bytes(bytes).map_err(ber)?;
            if tlv.tag().to_bytes() != [TAG_FCI] {
                return Err(FciError::NotFci);
            }
            let Value::Constructed(children) = tlv.value() else {
                return Err(FciError::NotFci);
            };
            let mut fci = Self {
                df_name: Vec::new(),
                sfi: None,
                algorithm_id: None,
            };
            let mut have_name = false;
            for child in children {
                match (child.tag().to_bytes(), child.value()) {
                    ([TAG_DF_NAME], Value::Primitive(name)) if !have_name => {
                        fci.df_name.clone_from(name);
                        have_name = true;
                    }
                    ([TAG_PROPRIETARY], Value::Constructed(items)) => {
                        for item in items {
                            fci.proprietary_item(item)?;
                        }
                    }
                    _ => fci.proprietary_item(child)?,
                }
            }
            if have_name {
                Ok(fci)
            } else {
                Err(FciError::MissingDfName)
            }
        }

        fn proprietary_item(&mut self, item: &Tlv) -> Result<(), FciError> {
            let t = item.tag().to_bytes();
            if t == [TAG_SFI] {
                match primitive(item) {
                    Some(&[sfi]) => self.sfi = Some(sfi),
                    _ => return Err(FciError::BadSfi),
                }
            } else if t == TAG_ALGORITHM_TEMPLATE {
                let inner = primitive(item).ok_or(FciError::BadAlgorithmId)?;
                let alg = Tlv::from_bytes(inner).map_err(|_| FciError::BadAlgorithmId)?;
                match (alg.tag().to_bytes(), primitive(&alg)) {
                    ([TAG_ALGORITHM_ID], Some(&[id])) => self.algorithm_id = Some(id),
                    _ => return Err(FciError::BadAlgorithmId),
                }
            }
            Ok(())
        }

        /// The algorithm id, or [`DEFAULT_ALGORITHM_ID`] (`01`) when the card sent none.
        pub fn algorithm_id_or_default(&self) -> u8 {
            self.algorithm_id.unwrap_or(DEFAULT_ALGORITHM_ID)
        }

        /// Builds the FCI with `iso7816-tlv`. `A5` is present when `sfi` or `algorithm_id` is;
        /// the DF name must be 1..=16 bytes.
        pub fn to_vec(&self) -> Result<Vec<u8>, FciError> {
            if self.df_name.is_empty() || self.df_name.len() > MAX_DF_NAME_LEN {
                return Err(FciError::BadDfName);
            }
            let name = Tlv::new(tag(0x84)?, Value::Primitive(self.df_name.clone())).map_err(ber)?;
            let mut prop = Vec::new();
            if let Some(sfi) = self.sfi {
                prop.push(Tlv::new(tag(0x88)?, Value::Primitive(vec![sfi])).map_err(ber)?);
            }
            if let Some(alg) = self.algorithm_id {
                let id = Tlv::new(tag(0x86)?, Value::Primitive(vec![alg])).map_err(ber)?;
                let t = tag(u16::from_be_bytes(TAG_ALGORITHM_TEMPLATE))?;
                prop.push(Tlv::new(t, Value::Primitive(id.to_vec())).map_err(ber)?);
            }
            let mut children = vec![name];
            if !prop.is_empty() {
                children.push(Tlv::new(tag(0xA5)?, Value::Constructed(prop)).map_err(ber)?);
            }
            Ok(Tlv::new(tag(0x6F)?, Value::Constructed(children))
                .map_err(ber)?
                .to_vec())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    const SSSE: [u8; 15] = hex!("7378312E73682EC9E7BBE1B1A3D5CF");
    /// S-HNLOG: SELECT SSSE on a Hunan 2.0 card.
    const FCI_20: [u8; 24] = hex!("6F16 840F 7378312E73682EC9E7BBE1B1A3D5CF A503 88011E");
    /// 3.0 form: `9F0C 03 86 01 03` in A5 (S-GWI sample).
    const FCI_30: [u8; 30] =
        hex!("6F1C 840F 7378312E73682EC9E7BBE1B1A3D5CF A509 88011E 9F0C03860103");

    #[test]
    fn write_matches_samples() {
        let mut out = [0u8; 40];
        let n = write_fci(&SSSE, 0x1E, None, &mut out).unwrap();
        assert_eq!(&out[..n], &FCI_20);
        let n = write_fci(&SSSE, 0x1E, Some(3), &mut out).unwrap();
        assert_eq!(&out[..n], &FCI_30);
    }

    #[test]
    fn write_errors() {
        let mut out = [0u8; 64];
        assert_eq!(write_fci(&[], 1, None, &mut out), Err(FciError::BadDfName));
        assert_eq!(
            write_fci(&[0; 17], 1, None, &mut out),
            Err(FciError::BadDfName)
        );
        assert_eq!(
            write_fci(&SSSE, 1, None, &mut out[..23]),
            Err(FciError::BufferTooSmall)
        );
        assert_eq!(
            write_fci(&[0; 16], 1, Some(1), &mut out),
            Ok(2 + 2 + 16 + 2 + 9)
        );
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn parse_samples() {
        let f = Fci::parse(&FCI_20).unwrap();
        assert_eq!(f.df_name, SSSE);
        assert_eq!(f.sfi, Some(0x1E));
        assert_eq!(f.algorithm_id, None);
        assert_eq!(f.algorithm_id_or_default(), DEFAULT_ALGORITHM_ID);
        assert_eq!(f.to_vec().unwrap(), FCI_20);

        let f = Fci::parse(&FCI_30).unwrap();
        assert_eq!(f.algorithm_id, Some(ALGORITHM_ID_SM4));
        assert_eq!(f.to_vec().unwrap(), FCI_30);
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn parse_errors() {
        assert_eq!(
            Fci::parse(&hex!("6F03 A50188")),
            Err(FciError::Ber(BerError::Truncated))
        );
        assert_eq!(Fci::parse(&hex!("7003 840141")), Err(FciError::NotFci));
        assert_eq!(
            Fci::parse(&hex!("6F05 A503 88011E")),
            Err(FciError::MissingDfName)
        );
        assert_eq!(
            Fci::parse(&hex!("6F09 840141 A504 8802 1E1E")),
            Err(FciError::BadSfi)
        );
        assert_eq!(
            Fci::parse(&hex!("6F0B 840141 A506 9F0C03 870103")),
            Err(FciError::BadAlgorithmId)
        );
        assert!(Fci::parse(&[]).is_err());
        assert!(Fci::parse(&FCI_20[..10]).is_err());
        let mut trailing = FCI_20.to_vec();
        trailing.push(0x90);
        assert!(Fci::parse(&trailing).is_err());
        assert_eq!(Fci::parse(&[0x6F; 2000]), Err(FciError::TooLong));
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn lenient_placement_and_unknown_tags() {
        // 9F0C directly under 6F, an unknown tag 50 ignored
        let f = Fci::parse(&hex!("6F0C 840141 500142 9F0C03860103")).unwrap();
        assert_eq!(
            (f.df_name.as_slice(), f.sfi, f.algorithm_id),
            (&b"A"[..], None, Some(3))
        );
        let f = Fci {
            df_name: b"A".to_vec(),
            sfi: None,
            algorithm_id: Some(3),
        };
        assert_eq!(Fci::parse(&f.to_vec().unwrap()).unwrap(), f);
        let f = Fci {
            df_name: b"A".to_vec(),
            sfi: None,
            algorithm_id: None,
        };
        assert_eq!(f.to_vec().unwrap(), hex!("6F03 840141"));
    }
}
