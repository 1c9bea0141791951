//! Reading: the 3-APDU basic-info path, items and whole EFs by specs path.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::record::{is_unwritten, Record};
use sscard_apdu::StatusWord;
use sscard_specs::ef::EfRef;
use sscard_specs::item::{self, ItemRef};
use sscard_specs::paths::{record_number_for, ItemPath};
use sscard_specs::types::EfStructure;
use sscard_specs::{ef, is_unique_tag, EfSpec, ReadRule, Resolved, SpecVersion};

use super::{is_form_refusal, Session};
use crate::error::{DataError, Error, ItemError, Result};
use crate::model::basic::{extra_items, FamilyDecoder};
use crate::model::item::{item_path, item_spec};
use crate::model::{
    BasicInfo, EfContent, EfRecords, Holder, IssuerData, ItemValue, ReadResult, RecordValue,
};
use crate::transport::Transport;

/// Largest chunk of one READ BINARY.
const BINARY_CHUNK: u16 = 0x80;

/// The path of the whole EF (`DF04/EF05`).
fn ef_path(ef: &EfSpec) -> ItemPath {
    ItemPath {
        df: ef.df,
        ef: ef.fid,
        tag: None,
        occurrence: 0,
    }
}

/// The path of record `n` of the EF (`DF04/EF08#3`).
fn record_path(ef: &EfSpec, n: u8) -> ItemPath {
    ItemPath {
        occurrence: n,
        ..ef_path(ef)
    }
}

/// Parse one record answered to READ RECORD; `None` for an unwritten one.
fn parse_one(ef: &EfSpec, expected_tag: Option<u8>, data: &[u8]) -> Result<Option<(u8, Vec<u8>)>> {
    let malformed = || DataError::Malformed {
        what: "record",
        hex: format!("{} ({})", hex::encode_upper(data), ef_path(ef)),
    };
    let rec = Record::parse(data).map_err(|_| malformed())?;
    match rec {
        None => Ok(None),
        Some(r) if expected_tag.is_some_and(|t| t != r.tag) => Err(malformed().into()),
        Some(r) => Ok(Some((r.tag, r.value.to_vec()))),
    }
}

impl<T: Transport> Session<T> {
    /// The specs' table entry of `ef`.
    pub(crate) fn ef_spec(ef: EfRef) -> Result<&'static EfSpec> {
        ef.spec()
            .ok_or_else(|| Error::Internal(format!("no EF {} in the specs", ef.path())))
    }

    /// READ RECORD of `item` by its tag (Le = its record length in the specs); `None` when the
    /// card has no such record.
    pub(crate) fn read_item_record(&mut self, item: ItemRef) -> Result<Option<Vec<u8>>> {
        let ef = Self::ef_spec(item.ef())?;
        let spec = item
            .spec()
            .ok_or_else(|| Error::Internal(format!("no item {} in the specs", item.path())))?;
        self.read_record_raw(
            ef,
            RecordSelector::ByTag(item.tag()),
            u32::from(spec.record_len()),
        )
    }

    /// READ RECORD of `ef` with any status word. Names the EF by SFI unless it is the current EF
    /// (or the card refused SFIs before, then it is selected). A refused SFI form is retried with
    /// SELECT EF, except for "all records" which the caller falls back from.
    pub(crate) fn read_record_sw(
        &mut self,
        ef: &EfSpec,
        sel: RecordSelector,
        ne: u32,
    ) -> Result<(Vec<u8>, StatusWord)> {
        self.select_df(ef.df)?;
        loop {
            let sfi = self.record_sfi(ef)?;
            let cmd = commands::read_record(sel, sfi, ne)
                .map_err(Error::command(format_args!("READ RECORD {}", ef_path(ef))))?;
            let (data, sw) = self.send(&cmd)?;
            let all = matches!(sel, RecordSelector::AllFrom(_));
            if sfi.is_some() && !all && is_form_refusal(sw) {
                tracing::debug!(%sw, "card refused READ RECORD with SFI; selecting the EF instead");
                self.note_refusal(sw, false);
                continue;
            }
            return Ok((data, sw));
        }
    }

    /// READ RECORD that must succeed; `None` for "record not found" (`6A83`) or an unwritten record.
    pub(crate) fn read_record_raw(
        &mut self,
        ef: &EfSpec,
        sel: RecordSelector,
        ne: u32,
    ) -> Result<Option<Vec<u8>>> {
        let (data, sw) = self.read_record_sw(ef, sel, ne)?;
        if sw == StatusWord::RECORD_NOT_FOUND {
            return Ok(None);
        }
        if !sw.is_success() {
            return Err(Error::card(format!("READ RECORD {}", ef_path(ef)), sw));
        }
        if data.is_empty() || is_unwritten(&data) {
            return Ok(None);
        }
        Ok(Some(data))
    }

    /// Every record of a record EF: one READ RECORD "all from 1" (`00 B2 01 (SFI<<3|5) Le`, Le
    /// the length the card's family gives the EF's records, else `00`), or, when the card
    /// refuses that form (`6A86`/`6A81`/`6D00`/`6B00`), SELECT EF and one READ RECORD per item
    /// (by tag for unique tags, by number for repeated ones).
    pub fn read_records(&mut self, ef: &EfSpec) -> Result<EfRecords> {
        if !ef.structure.is_record() {
            return Err(Error::item(ef_path(ef), ItemError::NotRecordEf));
        }
        self.ensure_read_access(ef)?;
        if self.read_all {
            let ne = self.all_records_ne(ef);
            let (data, sw) = self.read_record_sw(ef, RecordSelector::AllFrom(1), ne)?;
            if sw == StatusWord::RECORD_NOT_FOUND {
                return Ok(EfRecords::new());
            }
            if sw.is_success() {
                match EfRecords::from_concatenated(&data) {
                    Ok(r) => return Ok(r),
                    // 256 bytes and more: the reply may have been cut at Ne; read per item.
                    Err(_) if data.len() >= 255 => {}
                    Err(e) => return Err(e.into()),
                }
            } else if is_form_refusal(sw) {
                tracing::debug!(%sw, "card refused READ RECORD all-records; reading item by item");
                self.note_refusal(sw, true);
            } else {
                return Err(Error::card(format!("READ RECORD {}", ef_path(ef)), sw));
            }
        }
        self.read_records_by_item(ef)
    }

    /// One READ RECORD per record the card's family stores in `ef` (the family's layout: the
    /// national one of its version unless it lays the EF out otherwise).
    fn read_records_by_item(&mut self, ef: &EfSpec) -> Result<EfRecords> {
        self.select_ef(ef.df, ef.fid)?;
        let mut out = EfRecords::new();
        let records: Vec<_> = self.rules().records_of(ef).collect();
        for rec in records {
            let sel = if rec.occurrence == 1 && (is_unique_tag(ef, rec.tag) || rec.spec.repeat <= 1)
            {
                RecordSelector::ByTag(rec.tag)
            } else {
                RecordSelector::ByNumber(rec.number)
            };
            let ne = u32::from(rec.record_len());
            if let Some(data) = self.read_record_raw(ef, sel, ne)? {
                if let Some((tag, value)) = parse_one(ef, Some(rec.tag), &data)? {
                    out.push(tag, value);
                }
            }
        }
        Ok(out)
    }

    /// SSSE EF05 + EF06 decoded by the rules of the card's family, which is recognised on the
    /// way (`session::family`): SELECT SSSE ([`Session::open`]), READ RECORD all-from-1 of
    /// EF05, the probes that separate the families still possible (none on most cards), READ
    /// RECORD all-from-1 of EF06 — each READ with the exact Le of the family's layout, so a T=0
    /// card answers at once. 3 APDUs on a national 2.01 card in T=0 and T=1 (2.00: 4, the EF0D
    /// probe telling it from `jiangsu-2.00`); on a 3.00 card EF06 needs RKSSSE external
    /// authentication first (2 more APDUs, needs a security module).
    /// The two halves are [`Self::read_issuer`] and [`Self::read_holder`].
    pub fn read_basic_info(&mut self) -> Result<BasicInfo> {
        let issuer = self.read_issuer()?;
        let holder = self.read_holder()?;
        Ok(self.basic_info(issuer, holder))
    }

    /// SSSE EF05 (issuer data) in one READ RECORD all-from-1, decoded by the card's family
    /// (recognised here); the card identification code and the spec version are kept for
    /// diversification and the version-dependent rules.
    pub fn read_issuer(&mut self) -> Result<IssuerData> {
        let ef05 = Self::ef_spec(ef::SSSE_EF05)?;
        let r05 = self.read_records(ef05)?;
        if let Some(v) = r05.get(item::SSSE_EF05_VERSION.tag()) {
            self.observe_version(v);
        }
        if let Some(id) = r05
            .get(item::SSSE_EF05_CARD_ID.tag())
            .and_then(|b| <[u8; 16]>::try_from(b).ok())
        {
            self.card_id = Some(id);
        }
        self.recognise_family()?;
        let rules = self.rules();
        let rules_name = self.rules_name();
        Ok(IssuerData::decode(&FamilyDecoder::new(
            &r05,
            rules,
            &rules_name,
        ))?)
    }

    /// SSSE EF06 (holder basic information) by the card's family, after satisfying its read rule
    /// (RKSSSE on 3.00 cards when the session has a security module); the items the family adds
    /// are kept for [`Self::basic_info`].
    pub fn read_holder(&mut self) -> Result<Holder> {
        let ef06 = Self::ef_spec(ef::SSSE_EF06)?;
        let all = self.read_all;
        let r06 = self.read_records(ef06)?;
        if all && self.read_all {
            self.check_layout(ef06, &r06)?;
        }
        let rules = self.rules();
        let rules_name = self.rules_name();
        let holder = Holder::decode(&FamilyDecoder::new(&r06, rules, &rules_name))?;
        let mut extra = extra_items(ef06, rules, &r06);
        for (addr, recs) in &self.extra_records {
            if let Some(spec) = rules.ef_spec(*addr) {
                extra.extend(extra_items(spec, rules, recs));
            }
        }
        self.holder_extra = extra;
        Ok(holder)
    }

    /// [`BasicInfo`] from the two halves, with the session's profile, family and the ATR.
    pub fn basic_info(&self, issuer: IssuerData, holder: Holder) -> BasicInfo {
        BasicInfo {
            issuer,
            holder,
            profile: self.profile.name,
            algorithm_id: self.algorithm_id,
            reset_info: crate::model::atr::historical_bytes(self.transport.atr())
                .map(hex::encode_upper)
                .unwrap_or_default(),
            family: self.family().map(|f| f.name),
            extra: self.holder_extra.clone(),
        }
    }

    /// The records of `ef` read with "all records" are in record order: their layout must be
    /// the family's (record 3 of EF06 is the recognition table's confirming observation).
    fn check_layout(&mut self, ef: &EfSpec, recs: &EfRecords) -> Result<()> {
        let rules = self.rules();
        for (n, (tag, value)) in recs.iter().enumerate() {
            let number = u8::try_from(n + 1).unwrap_or(u8::MAX);
            if ef.fid == ef::SSSE_EF06.fid() && number == 3 {
                self.obs.ef06_record3_tag = Some(tag);
            }
            let want = rules.record(ef, number);
            if want.map(|r| r.tag) != Some(tag) {
                let expected = want.map_or_else(
                    || "no such record".to_string(),
                    |r| format!("tag {:02X}", r.tag),
                );
                let path = record_path(ef, number);
                return Err(self.family_mismatch(
                    &path.to_string(),
                    format!("record {number} is tag {tag:02X} where the family stores {expected}"),
                    value,
                ));
            }
        }
        Ok(())
    }

    /// Read what `path` names: an item (`DF04/EF05/81`, `DF01/EF15/40#2`), a whole EF
    /// (`SSSE/EF06`) or one record (`DF04/EF08#1`).
    pub fn read_path(&mut self, path: &str) -> Result<ReadResult> {
        let resolved = sscard_specs::resolve(path)?;
        match resolved.item {
            Some(_) => self.read_resolved_item(&resolved).map(ReadResult::Item),
            None => {
                let content = self.read_ef_content(resolved.ef, resolved.occurrence)?;
                Ok(ReadResult::Ef {
                    path: resolved.path().to_string(),
                    content,
                })
            }
        }
    }

    /// Read one data item by path; the tag must be defined for the EF.
    pub fn read_item(&mut self, path: &str) -> Result<ItemValue> {
        let resolved = sscard_specs::resolve(path)?;
        if resolved.item.is_none() {
            return Err(Error::item(path, ItemError::NotAnItem));
        }
        self.read_resolved_item(&resolved)
    }

    /// The raw value bytes of an item (`None` when the card has no such record).
    pub(crate) fn read_item_bytes(&mut self, r: &Resolved) -> Result<Option<Vec<u8>>> {
        let tag = r
            .item
            .ok_or_else(|| Error::item(r.path(), ItemError::NotAnItem))?
            .tag;
        let ef = r.ef;
        let item = item_spec(ef, tag, self.version)
            .ok_or_else(|| Error::Internal(format!("{} is not in the specs", r.path())))?;
        self.ensure_read_access(ef)?;
        let sel = self.record_selector(ef, item.tag, r.occurrence)?;
        let Some(data) = self.read_record_raw(ef, sel, u32::from(item.record_len()))? else {
            return Ok(None);
        };
        Ok(parse_one(ef, Some(item.tag), &data)?.map(|(_, v)| v))
    }

    fn read_resolved_item(&mut self, r: &Resolved) -> Result<ItemValue> {
        let tag = r.item.map(|i| i.tag).unwrap_or_default();
        let path = r.path().to_string();
        let bytes = self.read_item_bytes(r)?.ok_or(DataError::Missing(path))?;
        self.decode_item(r, tag, &bytes)
    }

    /// The value bytes `bytes` of the item `tag` of `r` decoded for this card's version.
    pub(crate) fn decode_item(&self, r: &Resolved, tag: u8, bytes: &[u8]) -> Result<ItemValue> {
        Ok(ItemValue::decode(
            r.ef,
            tag,
            r.occurrence,
            bytes,
            self.version,
        )?)
    }

    /// By tag (P2 = 00) for unique tags, by absolute number (P2 = 04) for repeated ones.
    pub(crate) fn record_selector(
        &mut self,
        ef: &EfSpec,
        tag: u8,
        occurrence: u8,
    ) -> Result<RecordSelector> {
        if is_unique_tag(ef, tag) {
            return Ok(RecordSelector::ByTag(tag));
        }
        let version = self.version.unwrap_or(SpecVersion::V2_00);
        record_number_for(ef, version, tag, occurrence)
            .map(RecordSelector::ByNumber)
            .ok_or_else(|| {
                Error::item(
                    item_path(ef, tag, occurrence),
                    ItemError::NoRecord {
                        version: version.as_str(),
                    },
                )
            })
    }

    /// Read a whole EF (`record` 0) or one record of it.
    pub fn read_ef_content(&mut self, ef: &EfSpec, record: u8) -> Result<EfContent> {
        match ef.structure {
            EfStructure::Transparent { size } => {
                self.ensure_read_access(ef)?;
                let bytes = self.read_binary(ef, size)?;
                Ok(EfContent::Binary {
                    size: bytes.len(),
                    hex: hex::encode_upper(&bytes),
                })
            }
            EfStructure::Cyclic {
                records,
                record_len,
            } => {
                self.ensure_read_access(ef)?;
                let numbers: Vec<u8> = if record > 0 {
                    vec![record]
                } else {
                    (1..=records).collect()
                };
                let mut out = Vec::new();
                for n in numbers {
                    let Some(data) = self.read_record_raw(
                        ef,
                        RecordSelector::ByNumber(n),
                        u32::from(record_len),
                    )?
                    else {
                        if record > 0 {
                            return Err(DataError::Missing(record_path(ef, n).to_string()).into());
                        }
                        break;
                    };
                    out.push(RecordValue::decode(n, ef.fields, &data)?);
                }
                Ok(EfContent::Cyclic { records: out })
            }
            EfStructure::VariableRecords { .. } | EfStructure::FixedRecords { .. } => {
                let recs = if record > 0 {
                    self.ensure_read_access(ef)?;
                    let mut r = EfRecords::new();
                    // The family's length of that record, so a T=0 card answers at once (and a
                    // Shanghai card, answering 6F00 to a longer Le, at all).
                    let ne = self
                        .rules()
                        .record(ef, record)
                        .map_or(256, |r| u32::from(r.record_len()));
                    let data = self
                        .read_record_raw(ef, RecordSelector::ByNumber(record), ne)?
                        .ok_or_else(|| DataError::Missing(record_path(ef, record).to_string()))?;
                    if let Some((tag, v)) = parse_one(ef, None, &data)? {
                        r.push(tag, v);
                    }
                    r
                } else {
                    self.read_records(ef)?
                };
                let mut seen: Vec<(u8, u8)> = Vec::new();
                let mut items = Vec::with_capacity(recs.len());
                for (tag, v) in recs.iter() {
                    let occ = match seen.iter_mut().find(|(t, _)| *t == tag) {
                        Some((_, n)) => {
                            *n = n.saturating_add(1);
                            *n
                        }
                        None => {
                            seen.push((tag, 1));
                            1
                        }
                    };
                    items.push(ItemValue::decode(ef, tag, occ, v, self.version)?);
                }
                Ok(EfContent::Records { items })
            }
        }
    }

    /// SELECT the EF and READ BINARY it in chunks.
    fn read_binary(&mut self, ef: &EfSpec, size: u16) -> Result<Vec<u8>> {
        self.select_ef(ef.df, ef.fid)?;
        let mut out = Vec::with_capacity(usize::from(size));
        let mut off: u16 = 0;
        while off < size {
            let n = (size - off).min(BINARY_CHUNK);
            let cmd =
                commands::read_binary(off, u32::from(n)).map_err(Error::command("READ BINARY"))?;
            let data = self.send_ok(&cmd, || format!("READ BINARY {}", ef_path(ef)))?;
            if data.is_empty() {
                break;
            }
            out.extend_from_slice(&data);
            off = off.saturating_add(u16::try_from(data.len()).unwrap_or(u16::MAX));
        }
        Ok(out)
    }

    /// Satisfy `ef`'s read rule with what the session has: a verified (or stored) PIN, or an
    /// RK external authentication through the security module. When neither is available the
    /// read is attempted anyway and the card's refusal (`6982`) is reported.
    pub(crate) fn ensure_read_access(&mut self, ef: &EfSpec) -> Result<()> {
        let rule = if ef.read_overrides.is_empty() {
            ef.read
        } else {
            match self.version {
                Some(v) => ef.read_for(v),
                None => {
                    let v = self.detect_version()?;
                    ef.read_for(v)
                }
            }
        };
        match rule {
            ReadRule::Free | ReadRule::Never => Ok(()),
            ReadRule::Pin => self.ensure_pin(),
            ReadRule::PinOrKey(key) => {
                if self.pin_verified {
                    Ok(())
                } else if self.pin.is_some() {
                    self.ensure_pin()
                } else if self.sm.is_some() {
                    self.ensure_key(ef.df, key)
                } else {
                    Ok(())
                }
            }
            ReadRule::PinAndKey(key) => {
                self.ensure_pin()?;
                if self.sm.is_some() {
                    self.ensure_key(ef.df, key)?;
                }
                Ok(())
            }
            ReadRule::Key(key) => {
                if self.sm.is_some() {
                    self.ensure_key(ef.df, key)
                } else {
                    Ok(())
                }
            }
        }
    }

    pub(crate) fn ensure_pin(&mut self) -> Result<()> {
        if self.pin_verified {
            return Ok(());
        }
        match self.pin.clone() {
            Some(pin) => self.verify_pin_checked(&pin).map(|_| ()),
            None => Ok(()),
        }
    }
}
