//! Which card family the card is (`sscard_specs::family`), from what it answers — no region
//! code, no flag: the session fills [`Observations`] as its reads go (SELECT SSSE by name, EF05
//! tag 03, EF06 record 3) and [`Session::family`] is [`family::recognise`] of them. When more
//! than one family still fits, [`Session::recognise_family`] sends the next probe of
//! [`family::PROBES`] that tells the remaining candidates apart, and only that one.
//!
//! One shortcut of T=0 cards: SELECT SSSE answers `61xx` and the session does not fetch the FCI
//! when the announced length xx already leaves candidates of one security suite (a national 2.x
//! card: `6118`, a 3.00 card: `611E`) — the FCI is fetched later (SELECT again + GET RESPONSE)
//! only if its content (SFI, algorithm id) is what separates the remaining candidates
//! (`national-1.00` from `hangzhou-1.00`).
//!
//! The family also gives the expected length of every READ RECORD (the spec tables as the family
//! lays them out), so a T=0 card answers at once instead of `6Cxx` + a re-issue.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::fci::{write_fci, Fci};
use sscard_apdu::StatusWord;
use sscard_keys::Profile;
use sscard_specs::family::{
    self, national_for, EfAddr, Family, FciContent, ObservationKind, Observations, SsseAnswer,
    PROBES,
};
use sscard_specs::{ef, EfSpec, SpecVersion};

use super::Session;
use crate::error::{DataError, Error, Result};
use crate::model::EfRecords;
use crate::transport::Transport;

/// The length of the FCI a family answers to SELECT SSSE by name (`None`: `6A82`).
pub(crate) fn fci_len(f: &Family) -> Option<u16> {
    let fci = f.fci()?;
    let mut out = [0u8; 64];
    let n = write_fci(fci.df_name(), fci.sfi, fci.algorithm_id, &mut out).ok()?;
    u16::try_from(n).ok()
}

/// The FCI content a parsed FCI carries (`None` without tag 88).
pub(crate) fn fci_content(fci: &Fci) -> Option<FciContent> {
    Some(FciContent {
        sfi: fci.sfi?,
        algorithm_id: fci.algorithm_id,
    })
}

/// Total bytes of every record of `ef` as `f` lays it out (`None`: no records).
fn records_len(f: &Family, ef: EfAddr) -> Option<u32> {
    let n: u32 = f.records_of(ef).map(|r| u32::from(r.record_len())).sum();
    (n > 0).then_some(n)
}

/// The value of one observation, as a comparable key.
fn observed(o: &Observations, kind: ObservationKind) -> Option<String> {
    match kind {
        ObservationKind::SsseByName => o.ssse_by_name.map(|a| format!("{a:?}")),
        ObservationKind::Version => o.version.map(|v| format!("{v:?}")),
        ObservationKind::Ef06Record3 => o.ef06_record3_tag.map(|t| t.to_string()),
        ObservationKind::SsseEf0d => o.ssse_ef0d.map(|b| b.to_string()),
    }
}

/// The EF the [`ObservationKind::SsseEf0d`] probe looks for: the regional SSSE EF0D as the specs'
/// family table defines it.
fn ef0d() -> &'static EfSpec {
    &family::JIANGSU_SSSE_EF0D
}

impl<T: Transport> Session<T> {
    /// What the session has observed of the card so far.
    pub fn observations(&self) -> &Observations {
        &self.obs
    }

    /// The families consistent with everything observed so far ([`family::candidates`]; on a
    /// T=0 card whose FCI was not fetched, also with the FCI length its `61xx` announced).
    pub fn family_candidates(&self) -> Vec<&'static Family> {
        family::candidates(&self.obs)
            .filter(|f| self.fci_len.is_none_or(|n| fci_len(f) == Some(n)))
            .collect()
    }

    /// The card's family, once recognised: the version observed and exactly one family fits
    /// ([`family::recognise`]).
    pub fn family(&self) -> Option<&'static Family> {
        if self.fci_len.is_none() {
            return family::recognise(&self.obs);
        }
        self.obs.version?;
        match self.family_candidates().as_slice() {
            [f] => Some(*f),
            _ => None,
        }
    }

    /// The family whose rules the data is decoded by: the recognised one, else the national
    /// family of the card's version (2.00 when the card does not say).
    pub fn rules(&self) -> &'static Family {
        self.family()
            .unwrap_or_else(|| national_for(self.version.unwrap_or(SpecVersion::V2_00)))
    }

    /// The suite every candidate uses, when they agree.
    pub(crate) fn candidates_profile(&self) -> Option<&'static Profile> {
        let c = self.family_candidates();
        let first = c.first()?;
        c.iter()
            .all(|f| f.suite() == first.suite())
            .then(|| Profile::by_name(first.suite()))
            .flatten()
    }

    /// The FCI algorithm id every candidate answers, when they agree (`None` also when absent).
    pub(crate) fn candidates_algorithm_id(&self) -> Option<u8> {
        let c = self.family_candidates();
        let first = c.first()?.fci()?.algorithm_id;
        c.iter()
            .all(|f| f.fci().map(|x| x.algorithm_id) == Some(first))
            .then_some(first)
            .flatten()
    }

    /// The Ne of READ RECORD "all records" of `ef`: the length every candidate family that has
    /// the EF gives its records (the spec tables as laid out by the family), or 256 when they
    /// disagree or no candidate has it.
    pub(crate) fn all_records_ne(&self, ef: impl Into<EfAddr>) -> u32 {
        let ef = ef.into();
        let c = self.family_candidates();
        let mut lens = c.iter().filter_map(|f| records_len(f, ef));
        match lens.next() {
            Some(n) if n <= 256 && lens.all(|m| m == n) => n,
            _ => 256,
        }
    }

    /// Record the version bytes (EF05 tag 03) and the spec version they name.
    pub(crate) fn observe_version(&mut self, value: &[u8]) {
        if let Ok(v) = <[u8; 4]>::try_from(value) {
            self.obs.version = Some(v);
            if let Some(sv) = SpecVersion::parse(&v) {
                self.version = Some(sv);
            }
        }
    }

    /// Adopt what a recognised family says: its spec version and its suite.
    pub(crate) fn adopt_family(&mut self) {
        if let Some(f) = self.family() {
            self.version = Some(f.spec_version());
            if let Some(p) = Profile::by_name(f.suite()) {
                self.profile = p;
            }
        }
    }

    /// Send the probes of [`family::PROBES`] that separate the remaining candidates, until one
    /// family is left or no probe tells the rest apart (then [`Self::family`] stays `None`).
    /// Nothing is sent when the family is already known.
    pub fn recognise_family(&mut self) -> Result<Option<&'static Family>> {
        'probing: loop {
            let c = self.family_candidates();
            if c.len() <= 1 {
                break;
            }
            for probe in PROBES.iter() {
                let kind = probe.kind;
                if observed(&self.obs, kind).is_some() {
                    continue;
                }
                let mut values = c.iter().map(|f| observed(&f.observations(), kind));
                let first = values.next().flatten();
                if values.all(|v| v == first) {
                    continue;
                }
                tracing::debug!(
                    ?kind,
                    candidates = c.len(),
                    "probing to tell card families apart"
                );
                self.probe(kind)?;
                if observed(&self.obs, kind).is_none() {
                    // The probe gave no answer to compare (e.g. 6F00): do not ask again.
                    break 'probing;
                }
                continue 'probing;
            }
            break;
        }
        self.adopt_family();
        Ok(self.family())
    }

    fn probe(&mut self, kind: ObservationKind) -> Result<()> {
        match kind {
            ObservationKind::SsseByName => {
                // The FCI content itself: SELECT again, this time fetching the FCI.
                self.fci_len = None;
                self.fetch_fci = true;
                let r = self.select_ssse();
                self.fetch_fci = false;
                r
            }
            ObservationKind::Version => {
                self.detect_version()?;
                Ok(())
            }
            ObservationKind::Ef06Record3 => self.probe_ef06_record3(),
            ObservationKind::SsseEf0d => self.probe_ef0d(),
        }
    }

    /// EF06 record 3, with the shortest record length the candidates give it (a card that
    /// truncates still shows the tag; a T=0 card answers `6Cxx` and is asked again).
    fn probe_ef06_record3(&mut self) -> Result<()> {
        let ef06 = Self::ef_spec(ef::SSSE_EF06)?;
        let ne = self
            .family_candidates()
            .iter()
            .filter_map(|f| {
                f.record(ef::SSSE_EF06, 3)
                    .map(|r| u32::from(r.record_len()))
            })
            .min()
            .unwrap_or(256);
        self.ensure_read_access(ef06)?;
        let (data, sw) = self.read_record_sw(ef06, RecordSelector::ByNumber(3), ne)?;
        if sw.is_success() {
            self.obs.ef06_record3_tag = data.first().copied();
        }
        Ok(())
    }

    /// SSSE EF0D: READ RECORD all records through its SFI (the probe and, where it is there,
    /// the read in one command); `6A82` = absent. A card refusing that form is asked with
    /// SELECT EF0D.
    fn probe_ef0d(&mut self) -> Result<()> {
        let spec = ef0d();
        if self.read_all && self.sfi_reads {
            let ne = self.all_records_ne(spec);
            let (data, sw) = self.read_record_sw(spec, RecordSelector::AllFrom(1), ne)?;
            if sw.is_success() {
                self.obs.ssse_ef0d = Some(true);
                self.extra_records
                    .push((EfAddr::of(spec), EfRecords::from_concatenated(&data)?));
                return Ok(());
            }
            if sw == StatusWord::FILE_NOT_FOUND {
                self.obs.ssse_ef0d = Some(false);
                return Ok(());
            }
            self.note_refusal(sw, true);
        }
        self.select_df(spec.df)?;
        let (_, sw) = self.send(&commands::select_ef(spec.fid))?;
        if sw == StatusWord::FILE_NOT_FOUND {
            self.obs.ssse_ef0d = Some(false);
            return Ok(());
        }
        if !sw.is_success() {
            return Err(Error::card(
                format!("SELECT {}/{:04X}", spec.df.name(), spec.fid),
                sw,
            ));
        }
        self.obs.ssse_ef0d = Some(true);
        self.current_ef = Some(spec.fid);
        let recs = self.read_records(spec)?;
        self.extra_records.push((EfAddr::of(spec), recs));
        Ok(())
    }

    /// A data error for `item` whose bytes do not fit what the rules' family stores there.
    pub(crate) fn family_mismatch(&self, item: &str, problem: String, hex: &[u8]) -> Error {
        Error::Data(DataError::Item {
            item: item.to_string(),
            family: self.rules_name(),
            problem,
            hex: hex::encode_upper(hex),
        })
    }

    /// How the card's family is named for people: `hangzhou-1.00`, or `national-2.00 (family
    /// not recognised)` when no family fits and the card was read by those national rules.
    pub fn rules_name(&self) -> String {
        match self.family() {
            Some(f) => f.name.to_string(),
            None => format!("{} (family not recognised)", self.rules().name),
        }
    }
}

/// Whether an answer to SELECT SSSE is a `61xx` the session may leave unfetched.
pub(crate) fn announced_fci(sw: StatusWord) -> Option<u16> {
    (sw.sw1() == StatusWord::more_data(0).sw1())
        .then(|| sw.bytes_available())
        .flatten()
}

/// What SELECT SSSE answered, as an observation.
pub(crate) fn ssse_answer(fci: Option<&Fci>) -> Option<SsseAnswer> {
    fci.and_then(fci_content).map(SsseAnswer::Fci)
}
