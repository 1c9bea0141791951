//! `--emulator-fresh`: a factory-initialised and personalised in-memory card with the public
//! *test* issuer keys, so conformance runs are reproducible. The card sits on a
//! [`TearingStore`], so the anti-tearing cases run too.
//!
//! The personalisation is a list of records per EF ([`FreshCard::records`]); tests mutate it to
//! build cards with wrong data (e.g. a bad check character) and check the suite catches them.

use sscard_apdu::record::encode_record;
use sscard_card_os::factory::{personalise_direct, test_issuer_keys};
use sscard_card_os::store::TearingStore;
use sscard_card_os::{factory_initialise, Card, CardConfig, CardIdentity, FactoryParams};
use sscard_keys::card_id::card_id_auth_code;
use sscard_keys::profile::{SSCARD_2, SSCARD_3};
use sscard_keys::{Profile, SoftwareSecurityModule};
use sscard_specs::codes::card_number_check_char;
use sscard_specs::files::{all_efs, ef};
use sscard_specs::key::CIDK;
use sscard_specs::types::{DataType, DfId, EfStructure, ItemSpec};
use sscard_specs::SpecVersion;

use crate::error::ConformError;
use sscard_terminal::model::value::{encode_an, encode_cn};
use sscard_terminal::transport::emulator::{
    identity, EmulatorOptions, EmulatorTransport, RamImage,
};

/// The PIN of a fresh card.
pub const FRESH_PIN: &str = "123456";

/// The transport of a fresh card.
pub type FreshTransport = EmulatorTransport<TearingStore<RamImage>>;

/// Records of one EF, in record order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EfRecords {
    /// DF.
    pub df: DfId,
    /// EF FID.
    pub fid: u16,
    /// Records (`tag | len | value` each).
    pub records: Vec<Vec<u8>>,
}

impl EfRecords {
    /// The record holding `tag` (first occurrence), mutably.
    pub fn record_mut(&mut self, tag: u8) -> Option<&mut Vec<u8>> {
        self.records.iter_mut().find(|r| r.first() == Some(&tag))
    }
}

/// What a fresh card is made of.
#[derive(Clone, Debug)]
pub struct FreshCard {
    /// Security profile.
    pub profile: &'static Profile,
    /// Spec version.
    pub version: SpecVersion,
    /// Identity (region 110100, serial 00000001).
    pub identity: CardIdentity,
    /// The card number written to EF05 tag 07.
    pub card_number: String,
    /// Personalisation, EF by EF.
    pub records: Vec<EfRecords>,
}

/// `Result` with the crate's [`ConformError`].
type Result<T, E = ConformError> = std::result::Result<T, E>;

fn rec(tag: u8, value: &[u8]) -> Result<Vec<u8>> {
    let mut out = vec![0u8; value.len() + 2];
    let n =
        encode_record(tag, value, &mut out).map_err(|error| ConformError::Record { tag, error })?;
    out.truncate(n);
    Ok(out)
}

/// Records for `df`/`fid` in spec order: `values` where given, zero-filled items elsewhere.
fn records_for(
    version: SpecVersion,
    df: DfId,
    fid: u16,
    values: &[(u8, Vec<u8>)],
) -> Result<EfRecords> {
    let spec = ef(df, fid).ok_or_else(|| ConformError::NoSuchEf {
        ef: format!("{}/{fid:04X}", df.name()),
    })?;
    let mut records = Vec::new();
    for item in spec
        .items_for(version)
        .iter()
        .filter(|i| i.versions.contains(version))
    {
        let zero = vec![0u8; usize::from(item.len)];
        let v = values
            .iter()
            .find(|(t, _)| *t == item.tag)
            .map_or(&zero, |(_, v)| v);
        for _ in 0..item.repeat {
            records.push(rec(item.tag, v)?);
        }
    }
    Ok(EfRecords { df, fid, records })
}

/// A value of `item` marked with `occ`: zero-filled except its first free-text part (an sub-item
/// or value without a code table), which holds `"#<occ>"`; for a numeric-only item, the digits
/// of `occ` in its first cn part.
fn distinct_value(item: &ItemSpec, occ: usize) -> Result<Vec<u8>> {
    let mark = format!("#{occ}");
    let digits = format!("{occ}");
    let plain = |i: &ItemSpec| -> Result<Vec<u8>> {
        let len = usize::from(i.len);
        Ok(match i.data_type {
            DataType::An if i.code_table.is_none() => encode_an(&mark, len)?,
            DataType::Cn if i.code_table.is_none() => encode_cn(&digits, len)?,
            _ => vec![0u8; len],
        })
    };
    if item.data_type != DataType::BTlv {
        return plain(item);
    }
    let marked = item
        .sub_items
        .iter()
        .position(|s| s.data_type == DataType::An && s.code_table.is_none())
        .or_else(|| {
            item.sub_items
                .iter()
                .position(|s| s.data_type == DataType::Cn && s.code_table.is_none())
        });
    let mut v = Vec::new();
    for (i, sub) in item.sub_items.iter().enumerate() {
        let value = if Some(i) == marked {
            plain(sub)?
        } else {
            vec![0u8; usize::from(sub.len)]
        };
        v.extend(rec(sub.tag, &value)?);
    }
    Ok(v)
}

impl FreshCard {
    /// The standard fresh card of `version` (3.00 → sscard-3 SM4, else sscard-2 3DES).
    pub fn new(version: SpecVersion) -> Result<FreshCard> {
        let profile: &'static Profile = if version == SpecVersion::V3_00 {
            &SSCARD_3
        } else {
            &SSCARD_2
        };
        let identity = identity("110100", "00000001")?;
        let keys = test_issuer_keys(profile);
        let factors = identity
            .factors(profile)
            .map_err(|e| ConformError::Factors(e.into()))?;
        let cidk = keys
            .card_key(CIDK, &factors)
            .map_err(|error| ConformError::CardKey { key: CIDK, error })?;
        let prefix = identity.card_id_prefix();
        let code =
            card_id_auth_code(profile, &cidk, &prefix).map_err(ConformError::CardIdAuthCode)?;
        let mut card_id = prefix.to_vec();
        card_id.extend_from_slice(&code);
        let first8 = "A0000001";
        let check = card_number_check_char(first8.as_bytes())
            .ok_or_else(|| ConformError::CardNumber(first8.to_string()))?;
        let card_number = format!("{first8}{}", char::from(check));
        let ef05 = records_for(
            version,
            DfId::Ssse,
            sscard_specs::ef::SSSE_EF05.fid(),
            &[
                (0x01, card_id),
                (0x02, encode_an("3", 1)?),
                (0x03, version.as_bytes().to_vec()),
                (0x04, encode_cn("915600000211010011010001", 12)?),
                (0x05, encode_cn("20240115", 4)?),
                (0x06, encode_cn("20340114", 4)?),
                (0x07, encode_an(&card_number, 9)?),
            ],
        )?;
        let ef06 = records_for(
            version,
            DfId::Ssse,
            sscard_specs::ef::SSSE_EF06.fid(),
            &[
                (0x08, encode_an("110101199003071233", 18)?),
                (0x09, encode_an("王小明", 30)?),
                (0x0A, encode_an("1", 1)?),
                (0x0B, encode_cn("01", 1)?),
                (0x0C, encode_cn("110101", 3)?),
                (0x0D, encode_cn("19900307", 4)?),
            ],
        )?;
        let mut records = vec![ef05, ef06];
        if version != SpecVersion::V1_00 {
            records.push(records_for(
                version,
                DfId::Df01,
                sscard_specs::ef::DF01_EF05.fid(),
                &[
                    (0x20, encode_an("10", 2)?),
                    (0x21, encode_an("北京市东城区示例胡同1号", 0x50)?),
                    (0x0E, encode_cn("110101", 3)?),
                ],
            )?);
            records.push(records_for(
                version,
                DfId::Df04,
                sscard_specs::ef::DF04_EF05.fid(),
                &[
                    (0x81, encode_an("31010000", 8)?),
                    (0x8C, encode_cn("11", 1)?),
                    (0x8F, encode_an("1", 1)?),
                ],
            )?);
        }
        // Repeated items (a tag on several records: B-TLV groups such as DF01 EF15's three 40
        // records) get distinct values, so a read by tag shows which occurrence it returned.
        for e in all_efs().filter(|e| e.df != DfId::Ssse) {
            let items: Vec<_> = e
                .items_for(version)
                .iter()
                .filter(|i| i.versions.contains(version))
                .collect();
            if !items.iter().any(|i| i.repeat > 1) {
                continue;
            }
            if !records.iter().any(|r| r.df == e.df && r.fid == e.fid) {
                records.push(records_for(version, e.df, e.fid, &[])?);
            }
            let Some(target) = records.iter_mut().find(|r| r.df == e.df && r.fid == e.fid) else {
                continue;
            };
            let mut n = 0usize;
            for item in items {
                for occ in 0..usize::from(item.repeat) {
                    if item.repeat > 1 {
                        if let Some(slot) = target.records.get_mut(n) {
                            *slot = rec(item.tag, &distinct_value(item, occ + 1)?)?;
                        }
                    }
                    n += 1;
                }
            }
        }
        // One record in every cyclic file, so their access and format cases have data.
        for e in all_efs().filter(|e| matches!(e.structure, EfStructure::Cyclic { .. })) {
            let mut r = Vec::new();
            for f in e.fields {
                let len = usize::from(f.len);
                r.extend(match f.data_type {
                    DataType::An => encode_an("1", len)?,
                    DataType::Cn if len == 4 => encode_cn("20240101", len)?,
                    DataType::Cn => encode_cn(&"1".repeat(len * 2), len)?,
                    _ => {
                        let mut b = vec![0u8; len];
                        if let Some(last) = b.last_mut() {
                            *last = 1;
                        }
                        b
                    }
                });
            }
            records.push(EfRecords {
                df: e.df,
                fid: e.fid,
                records: vec![r],
            });
        }
        Ok(FreshCard {
            profile,
            version,
            identity,
            card_number,
            records,
        })
    }

    /// The EF's records, mutably.
    pub fn ef_mut(&mut self, df: DfId, fid: u16) -> Option<&mut EfRecords> {
        self.records.iter_mut().find(|e| e.df == df && e.fid == fid)
    }

    /// The card OS configuration for `opts` (T=0 or T=1 answers, quirks, faults), with a random
    /// challenge seed.
    pub fn config(&self, opts: EmulatorOptions) -> Result<CardConfig> {
        Ok(opts.card_config(self.profile)?)
    }

    /// The security module holding the test issuer keys.
    pub fn security_module(&self) -> SoftwareSecurityModule {
        SoftwareSecurityModule::new(self.profile, test_issuer_keys(self.profile))
    }

    /// Factory-initialise, personalise and power up the card with `config`.
    pub fn build(&self, config: CardConfig) -> Result<FreshTransport> {
        let keys = test_issuer_keys(self.profile);
        let params = FactoryParams {
            profile: self.profile,
            version: self.version,
            identity: self.identity,
            keys: &keys,
            pin: FRESH_PIN.as_bytes(),
        };
        let mut store = RamImage::new();
        factory_initialise(&mut store, &params).map_err(|e| ConformError::Factory(e.into()))?;
        for e in &self.records {
            let refs: Vec<&[u8]> = e.records.iter().map(Vec::as_slice).collect();
            personalise_direct(&mut store, self.version, e.df, e.fid, &refs).map_err(|error| {
                ConformError::Personalise {
                    ef: format!("{}/{:04X}", e.df.name(), e.fid),
                    error: error.into(),
                }
            })?;
        }
        let card = Card::new(TearingStore::new(store), config)
            .map_err(|e| ConformError::PowerUp(e.into()))?;
        Ok(EmulatorTransport::new(
            card,
            format!(
                "fresh emulated card ({} {})",
                self.version.as_str(),
                self.profile.name
            ),
        ))
    }
}
