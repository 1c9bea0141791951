//! Card data-item records: SIMPLE-TLV `tag(1) | len(1) | value` (sscard-spec.md §3.2).
//!
//! Each data item of a variable-length record EF is one record whose identifier is its tag.
//! READ RECORD with P2 = `05` returns several records concatenated; [`RecordIter`] walks them.
//! A B-TLV item's value is itself a sequence of records ([`Record::sub_items`]).
//!
//! Unwritten or erased records (all `FF` or all `00`) are *empty*, not errors: [`Record::parse`]
//! returns `Ok(None)` and [`RecordIter`] skips `00`/`FF` filler between records (ISO 7816-4
//! allows such filler between data objects; `00` and `FF` are never valid SIMPLE-TLV tags).
//! Lengths above 254 use the ISO 7816-4 three-byte form `FF L1 L2` (canonical only).
//! This is the only record codec of the workspace; `iso7816-tlv` is not used here because it
//! rejects tags `00`/`FF` instead of treating them as empty.

use core::iter::FusedIterator;

/// Why bytes are not a well-formed record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum RecordError {
    /// The length field or the value is cut off.
    #[error("record truncated")]
    Truncated,
    /// Tag `00` or `FF` where a record must start (and the bytes are not all filler).
    #[error("invalid record tag (00/FF)")]
    InvalidTag,
    /// Bytes follow the record in a single-record parse.
    #[error("trailing bytes after the record")]
    TrailingBytes,
    /// Three-byte length `FF L1 L2` used for a length below 255.
    #[error("non-canonical length field")]
    NonCanonicalLength,
    /// The value is longer than 65 535 bytes.
    #[error("value too long")]
    ValueTooLong,
    /// The output buffer is too small.
    #[error("output buffer too small")]
    BufferTooSmall,
}

/// One data-item record: tag and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Record<'a> {
    /// The tag (record identifier), `01..=FE`.
    pub tag: u8,
    /// The value bytes.
    pub value: &'a [u8],
}

/// `true` for an empty, all-`00` or all-`FF` record (unwritten or erased).
pub fn is_unwritten(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b == 0x00) || bytes.iter().all(|&b| b == 0xFF)
}

fn is_filler(b: u8) -> bool {
    b == 0x00 || b == 0xFF
}

impl<'a> Record<'a> {
    /// A record from its parts (not validated: see [`encode`](Self::encode)).
    pub const fn new(tag: u8, value: &'a [u8]) -> Self {
        Self { tag, value }
    }

    /// Parses exactly one record. `Ok(None)` for an unwritten record (empty, all `00`, all `FF`).
    ///
    /// ```
    /// use sscard_apdu::Record;
    /// let r = Record::parse(&[0x02, 0x01, 0x33]).unwrap().unwrap();
    /// assert_eq!((r.tag, r.value), (0x02, &b"3"[..]));
    /// assert_eq!(Record::parse(&[0xFF; 8]), Ok(None));
    /// ```
    pub fn parse(bytes: &'a [u8]) -> Result<Option<Self>, RecordError> {
        if is_unwritten(bytes) {
            return Ok(None);
        }
        let (rec, rest) = Self::parse_prefix(bytes)?;
        if rest.is_empty() {
            Ok(Some(rec))
        } else {
            Err(RecordError::TrailingBytes)
        }
    }

    /// Parses the record at the start of `bytes`, returning it and the bytes after it.
    pub fn parse_prefix(bytes: &'a [u8]) -> Result<(Self, &'a [u8]), RecordError> {
        let (&tag, rest) = bytes.split_first().ok_or(RecordError::Truncated)?;
        if is_filler(tag) {
            return Err(RecordError::InvalidTag);
        }
        let (&l, rest) = rest.split_first().ok_or(RecordError::Truncated)?;
        let (len, rest) = if l == 0xFF {
            let (l2, rest) = rest.split_at_checked(2).ok_or(RecordError::Truncated)?;
            let l2 = <[u8; 2]>::try_from(l2).map_err(|_| RecordError::Truncated)?;
            let len = usize::from(u16::from_be_bytes(l2));
            if len < 0xFF {
                return Err(RecordError::NonCanonicalLength);
            }
            (len, rest)
        } else {
            (usize::from(l), rest)
        };
        let (value, rest) = rest.split_at_checked(len).ok_or(RecordError::Truncated)?;
        Ok((Self { tag, value }, rest))
    }

    /// The sub-records of a B-TLV item's value (same codec).
    pub fn sub_items(&self) -> RecordIter<'a> {
        RecordIter::new(self.value)
    }

    /// Encoded length: tag, length field (1 or 3 bytes) and value.
    pub fn encoded_len(&self) -> usize {
        let l = if self.value.len() < 0xFF { 1 } else { 3 };
        1 + l + self.value.len()
    }

    /// Writes the record into `out` (see [`encode_record`]).
    pub fn encode(&self, out: &mut [u8]) -> Result<usize, RecordError> {
        encode_record(self.tag, self.value, out)
    }
}

/// Writes `tag | len | value` into `out`, returning the length. Tag `00`/`FF` is
/// [`RecordError::InvalidTag`]; values of 255 bytes and more use `FF L1 L2`.
///
/// ```
/// let mut out = [0u8; 8];
/// let n = sscard_apdu::record::encode_record(0x03, b"3.00", &mut out).unwrap();
/// assert_eq!(&out[..n], &[0x03, 0x04, 0x33, 0x2E, 0x30, 0x30]);
/// ```
pub fn encode_record(tag: u8, value: &[u8], out: &mut [u8]) -> Result<usize, RecordError> {
    if is_filler(tag) {
        return Err(RecordError::InvalidTag);
    }
    let vlen = u16::try_from(value.len()).map_err(|_| RecordError::ValueTooLong)?;
    let mut head = [tag, 0xFF, 0, 0];
    let head: &[u8] = match u8::try_from(vlen) {
        Ok(l) if l < 0xFF => {
            head[1] = l;
            head.get(..2).ok_or(RecordError::BufferTooSmall)?
        }
        _ => {
            let [hi, lo] = vlen.to_be_bytes();
            head[2] = hi;
            head[3] = lo;
            &head
        }
    };
    let total = head.len() + value.len();
    let out = out.get_mut(..total).ok_or(RecordError::BufferTooSmall)?;
    let (h, v) = out.split_at_mut(head.len());
    h.copy_from_slice(head);
    v.copy_from_slice(value);
    Ok(total)
}

/// Iterator over concatenated records (READ RECORD P2 = `05` reply, a B-TLV value).
///
/// Yields `Ok(Record)` per record, skips `00`/`FF` filler, ends cleanly at the end of input;
/// after the first `Err` it ends.
///
/// ```
/// use sscard_apdu::RecordIter;
/// let tags: Vec<u8> = RecordIter::new(&[0x02, 0x01, 0x33, 0x03, 0x00, 0xFF, 0xFF])
///     .map(|r| r.unwrap().tag)
///     .collect();
/// assert_eq!(tags, [0x02, 0x03]);
/// ```
#[derive(Debug, Clone)]
pub struct RecordIter<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> RecordIter<'a> {
    /// Iterates over the records in `bytes`.
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self {
            rest: bytes,
            failed: false,
        }
    }

    /// The bytes not yet consumed.
    pub fn remaining(&self) -> &'a [u8] {
        self.rest
    }

    /// The first record with `tag` (like READ RECORD P2 = `00`), ignoring malformed tails.
    pub fn find_tag(self, tag: u8) -> Option<Record<'a>> {
        self.map_while(Result::ok).find(|r| r.tag == tag)
    }
}

impl<'a> Iterator for RecordIter<'a> {
    type Item = Result<Record<'a>, RecordError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let start = self.rest.iter().position(|&b| !is_filler(b))?;
        let bytes = self.rest.get(start..)?;
        match Record::parse_prefix(bytes) {
            Ok((rec, rest)) => {
                self.rest = rest;
                Some(Ok(rec))
            }
            Err(e) => {
                self.failed = true;
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

impl FusedIterator for RecordIter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use hex_literal::hex;

    /// S-HNLOG: `00 B2 01 05 FF` on SSSE EF05 of the Hunan 2.0 test card (sscard-spec.md §8).
    const EF05_ALL: [u8; 64] = hex!(
        "01 10 430299D15600000500000013 3A05F2E3"
        "02 01 33"
        "03 04 322E3000"
        "04 0C 915600000243020043 0100D5"
        "05 04 32303132"
        "06 04 32303232"
        "07 09 423030303030313331"
    );

    #[test]
    fn real_ef05_trace() {
        let recs: Vec<Record> = RecordIter::new(&EF05_ALL)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(recs.len(), 7);
        let tags: Vec<u8> = recs.iter().map(|r| r.tag).collect();
        assert_eq!(tags, [1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(recs[0].value, &hex!("430299D15600000500000013 3A05F2E3"));
        assert_eq!(recs[1].value, b"3");
        assert_eq!(recs[2].value, b"2.0\0");
        assert_eq!(recs[3].value.len(), 12);
        assert_eq!(recs[4].value, b"2012");
        assert_eq!(recs[5].value, b"2022");
        assert_eq!(recs[6].value, b"B00000131");
        assert_eq!(
            RecordIter::new(&EF05_ALL).find_tag(0x07).unwrap().value,
            b"B00000131"
        );
        // re-encoding the records gives back the trace
        let mut out = [0u8; 64];
        let mut pos = 0;
        for r in &recs {
            pos += r.encode(&mut out[pos..]).unwrap();
        }
        assert_eq!(out, EF05_ALL);
    }

    #[test]
    fn single_record() {
        let r = Record::parse(&hex!("0201 33")).unwrap().unwrap();
        assert_eq!(r, Record::new(2, b"3"));
        assert_eq!(
            Record::parse(&hex!("0201 3344")),
            Err(RecordError::TrailingBytes)
        );
        assert_eq!(Record::parse(&hex!("0203 33")), Err(RecordError::Truncated));
        assert_eq!(Record::parse(&hex!("02")), Err(RecordError::Truncated));
        assert_eq!(Record::parse(&hex!("0200")), Ok(Some(Record::new(2, &[]))));
        assert_eq!(
            Record::parse(&hex!("FF01 33")),
            Err(RecordError::InvalidTag)
        );
        assert_eq!(
            Record::parse(&hex!("0001 33")),
            Err(RecordError::InvalidTag)
        );
    }

    #[test]
    fn unwritten_records_are_empty() {
        assert_eq!(Record::parse(&[]), Ok(None));
        assert_eq!(Record::parse(&[0xFF; 0x1C]), Ok(None));
        assert_eq!(Record::parse(&[0x00; 0x10]), Ok(None));
        assert!(is_unwritten(&[0xFF, 0xFF]));
        assert!(!is_unwritten(&[0xFF, 0x00]));
        assert_eq!(RecordIter::new(&[0xFF; 12]).count(), 0);
        assert_eq!(RecordIter::new(&[]).count(), 0);
        // filler between and after records
        let bytes = hex!("0201 33 FFFF 0304 322E3000 0000");
        let tags: Vec<u8> = RecordIter::new(&bytes).map(|r| r.unwrap().tag).collect();
        assert_eq!(tags, [2, 3]);
    }

    #[test]
    fn iterator_stops_after_error() {
        let bytes = hex!("0201 33 0405 01");
        let mut it = RecordIter::new(&bytes);
        assert_eq!(it.next(), Some(Ok(Record::new(2, b"3"))));
        assert_eq!(it.next(), Some(Err(RecordError::Truncated)));
        assert_eq!(it.next(), None);
        assert_eq!(it.next(), None);
    }

    #[test]
    fn long_form_length() {
        let value = [0x41u8; 300];
        let mut out = [0u8; 310];
        let n = encode_record(0x40, &value, &mut out).unwrap();
        assert_eq!(n, 304);
        assert_eq!(&out[..4], &hex!("40 FF 012C"));
        let r = Record::parse(&out[..n]).unwrap().unwrap();
        assert_eq!(r.value.len(), 300);
        assert_eq!(r.encoded_len(), 304);
        assert_eq!(
            Record::parse(&hex!("40 FF 0001 41")),
            Err(RecordError::NonCanonicalLength)
        );
        // 254 is the longest one-byte length
        let n = encode_record(0x40, &value[..254], &mut out).unwrap();
        assert_eq!((n, out[1]), (256, 0xFE));
        let n = encode_record(0x40, &value[..255], &mut out).unwrap();
        assert_eq!((n, &out[1..4]), (259, &hex!("FF 00FF")[..]));
    }

    #[test]
    fn encode_errors() {
        assert_eq!(
            encode_record(0x00, b"x", &mut [0; 8]),
            Err(RecordError::InvalidTag)
        );
        assert_eq!(
            encode_record(0xFF, b"x", &mut [0; 8]),
            Err(RecordError::InvalidTag)
        );
        assert_eq!(
            encode_record(0x01, b"xyz", &mut [0; 4]),
            Err(RecordError::BufferTooSmall)
        );
        assert_eq!(encode_record(0x01, b"xyz", &mut [0; 5]), Ok(5));
    }

    #[test]
    fn btlv_sub_items() {
        // DF01 EF15 tag 40 group of sub-items (values illustrative)
        let bytes = hex!("40 0A 41 02 3031 42 04 20120901");
        let outer = Record::parse(&bytes).unwrap().unwrap();
        assert_eq!(outer.tag, 0x40);
        let subs: Vec<Record> = outer.sub_items().collect::<Result<_, _>>().unwrap();
        assert_eq!(
            subs,
            [
                Record::new(0x41, b"01"),
                Record::new(0x42, &hex!("20120901"))
            ]
        );
    }
}
