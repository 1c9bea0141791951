//! GET CHALLENGE, EXTERNAL AUTHENTICATE (terminal → card) and INTERNAL AUTHENTICATE
//! (card → terminal) through the security module, with the card's diversification factors.

use serde::Serialize;
use sscard_apdu::commands;
use sscard_apdu::StatusWord;
use sscard_keys::DiversificationFactors;
use sscard_specs::item::SSSE_EF05_CARD_ID;
use sscard_specs::{key, key_by_name, DfId, KeySpec};
use subtle::ConstantTimeEq;

use super::{random, Session};
use crate::error::{DataError, Error, Result};
use crate::transport::Transport;

/// The outcome of INTERNAL AUTHENTICATE.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuthVerdict {
    /// The card's answer matched what the issuer key set computes: the card is genuine.
    pub genuine: bool,
    /// Process factor P sent (hex).
    pub p: String,
    /// Source data S sent (hex).
    pub s: String,
    /// What the card answered (hex).
    pub response: String,
}

/// Whether a card proved genuine ([`Session::check_genuine`]): `true` / `false` after INTERNAL
/// AUTHENTICATE, or not checked (no security module). Serialised as `true`, `false` or
/// `"not checked"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Genuineness {
    /// INTERNAL AUTHENTICATE was run: whether the card's answer was the issuer's.
    Checked(bool),
    /// No security module: nothing to check the card's answer against.
    NotChecked,
}

impl Genuineness {
    /// Whether the card was checked and failed.
    pub fn failed(self) -> bool {
        self == Genuineness::Checked(false)
    }
}

impl std::fmt::Display for Genuineness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Genuineness::Checked(true) => f.write_str("true"),
            Genuineness::Checked(false) => f.write_str("false"),
            Genuineness::NotChecked => f.write_str("not checked"),
        }
    }
}

impl Serialize for Genuineness {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Genuineness::Checked(b) => s.serialize_bool(*b),
            Genuineness::NotChecked => s.serialize_str("not checked"),
        }
    }
}

pub(crate) fn key_spec(name: &str) -> Result<&'static KeySpec> {
    key_by_name(name).ok_or_else(|| Error::UnknownKey(name.to_string()))
}

impl<T: Transport> Session<T> {
    /// The card identification code (SSSE EF05 tag 01), read once by tag. Selects the SSSE if
    /// needed, so call this before entering another DF.
    pub fn ensure_card_id(&mut self) -> Result<[u8; 16]> {
        if let Some(id) = self.card_id {
            return Ok(id);
        }
        let data = self
            .read_item_record(SSSE_EF05_CARD_ID)?
            .ok_or_else(|| DataError::Missing(SSSE_EF05_CARD_ID.path().into()))?;
        let id = data
            .get(2..)
            .and_then(|v| <[u8; 16]>::try_from(v).ok())
            .filter(|_| data.first() == Some(&SSSE_EF05_CARD_ID.tag()))
            .ok_or_else(|| DataError::Malformed {
                what: "card identification code (EF05/01)",
                hex: hex::encode_upper(&data),
            })?;
        self.card_id = Some(id);
        Ok(id)
    }

    /// Diversification factors of key `name` for this card: ATR historical bytes (last 8) and
    /// the region of the card identification code, as many levels as the specs give the key.
    pub fn factors(&mut self, name: &str) -> Result<DiversificationFactors> {
        let levels = key_spec(name)?.levels;
        let id = self.ensure_card_id()?;
        let atr8 = crate::model::atr::card_factor(self.transport.atr()).ok_or_else(|| {
            DataError::Malformed {
                what: "ATR (fewer than 8 historical bytes)",
                hex: hex::encode_upper(self.transport.atr()),
            }
        })?;
        let region: [u8; 3] = [id[0], id[1], id[2]];
        DiversificationFactors::for_levels_with(&self.profile.factors, levels, &atr8, &region)
            .map_err(|e| {
                Error::Data(DataError::Malformed {
                    what: "diversification factors",
                    hex: format!("{} ({e})", hex::encode_upper(&id[..3])),
                })
            })
    }

    /// GET CHALLENGE (`00 84 00 00 08`): the card's random for the next authentication or MAC.
    pub fn get_challenge(&mut self) -> Result<Vec<u8>> {
        let len = self.profile.challenge_len;
        let cmd = commands::get_challenge(len).map_err(Error::command("GET CHALLENGE"))?;
        let data = self.send_ok(&cmd, || "GET CHALLENGE".into())?;
        if data.len() != usize::from(len) {
            return Err(DataError::Malformed {
                what: "challenge",
                hex: hex::encode_upper(&data),
            }
            .into());
        }
        Ok(data)
    }

    /// EXTERNAL AUTHENTICATE with key `name` (GET CHALLENGE, cryptogram from the security
    /// module, `00 82 00 KID 10 …`) in `df`, which is selected first. Skipped when the key
    /// already passed in the current DF.
    pub fn ensure_key(&mut self, df: DfId, name: &str) -> Result<()> {
        let spec = key_spec(name)?;
        if self.current_df == Some(df) && self.keys_passed.contains(&spec.name) {
            return Ok(());
        }
        self.external_authenticate_in(df, name)
    }

    /// EXTERNAL AUTHENTICATE with key `name` in `df`, always sent.
    pub fn external_authenticate_in(&mut self, df: DfId, name: &str) -> Result<()> {
        let spec = key_spec(name)?;
        let kid = spec.kid.ok_or_else(|| Error::NoCardKid(name.to_string()))?;
        let factors = self.factors(spec.name)?;
        self.select_df(df)?;
        let challenge = self.get_challenge()?;
        let source: [u8; 8] = random()?;
        let data = self
            .security_module()?
            .external_auth(spec.name, &factors, &challenge, &source)?;
        self.send_external_authenticate(name, spec, kid, &data)
    }

    /// Send EXTERNAL AUTHENTICATE with the cryptogram `data` of key `name` (`spec`, KID `kid`);
    /// on `9000` the key counts as passed.
    fn send_external_authenticate(
        &mut self,
        name: &str,
        spec: &'static KeySpec,
        kid: u8,
        data: &[u8; 16],
    ) -> Result<()> {
        let cmd = commands::external_authenticate(kid, data);
        let (_, sw) = self.send(&cmd)?;
        if sw != StatusWord::OK {
            return Err(Error::refused(format!("EXTERNAL AUTHENTICATE {name}"), sw));
        }
        if !self.keys_passed.contains(&spec.name) {
            self.keys_passed.push(spec.name);
        }
        Ok(())
    }

    /// EXTERNAL AUTHENTICATE with key `name` in the DF that holds it.
    pub fn external_authenticate(&mut self, name: &str) -> Result<()> {
        let df = key_spec(name)?.df;
        self.external_authenticate_in(df, name)
    }

    /// The national read procedure's genuineness check: with a security module, INTERNAL
    /// AUTHENTICATE (IRK) — on a 3.00 card after the RKSSSE external authentication its basic
    /// information needed anyway, in the same DF — and whether the answer was the issuer's; a
    /// card refusing the command is not genuine either. Without a security module nothing is
    /// sent ([`Genuineness::NotChecked`]). `reason` of a failure goes with it.
    pub fn check_genuine(&mut self) -> Result<(Genuineness, Option<String>)> {
        if self.sm.is_none() {
            return Ok((Genuineness::NotChecked, None));
        }
        match self.internal_authenticate() {
            Ok(v) if v.genuine => Ok((Genuineness::Checked(true), None)),
            Ok(v) => Ok((
                Genuineness::Checked(false),
                Some(format!(
                    "its INTERNAL AUTHENTICATE answer {} is not the issuer's",
                    v.response
                )),
            )),
            Err(Error::Card { sw, .. }) => Ok((
                Genuineness::Checked(false),
                Some(format!("it refused INTERNAL AUTHENTICATE: {sw}")),
            )),
            Err(e) => Err(e),
        }
    }

    /// Whether the session has a security module (issuer keys or a PSAM).
    pub fn has_security_module(&self) -> bool {
        self.sm.is_some()
    }

    /// INTERNAL AUTHENTICATE (`00 88 00 KID 10 P ‖ S`, IRK) with fresh random P and S; compares
    /// the card's answer (constant time) with what the security module computes.
    pub fn internal_authenticate(&mut self) -> Result<AuthVerdict> {
        let spec = key_spec(key::IRK)?;
        let kid = spec.kid.unwrap_or(0);
        let factors = self.factors(spec.name)?;
        self.select_df(DfId::Ssse)?;
        let p: [u8; 8] = random()?;
        let s: [u8; 8] = random()?;
        let expected = self
            .security_module()?
            .internal_auth_expected(spec.name, &factors, &p, &s)?;
        let cmd = commands::internal_authenticate(kid, &p, &s).with_ne(256);
        let response = self.send_ok(&cmd, || "INTERNAL AUTHENTICATE".into())?;
        let genuine = response.len() == expected.len()
            && bool::from(response.as_slice().ct_eq(expected.as_slice()));
        Ok(AuthVerdict {
            genuine,
            p: hex::encode_upper(p),
            s: hex::encode_upper(s),
            response: hex::encode_upper(&response),
        })
    }

    /// Take up a card an earlier connection left selected (HSM mode Step2, after the caller's
    /// round trip to the HSM): `df` current, the spec version, card identification code and FCI
    /// algorithm id as that connection saw them. Nothing is sent (a SELECT would clear the
    /// card's challenge).
    pub fn resume(
        &mut self,
        df: DfId,
        version: Option<sscard_specs::SpecVersion>,
        card_id: [u8; 16],
        algorithm_id: Option<u8>,
    ) {
        self.algorithm_id = algorithm_id;
        self.profile = super::select::profile_for_algorithm(algorithm_id);
        self.version = version;
        self.card_id = Some(card_id);
        self.current_df = Some(df);
        self.current_ef = None;
        self.keys_passed.clear();
    }

    /// EXTERNAL AUTHENTICATE with key `name` in the current DF with a cryptogram computed
    /// elsewhere (an online HSM, over the challenge the card gave last).
    pub fn external_authenticate_with(&mut self, name: &str, data: &[u8; 16]) -> Result<()> {
        let spec = key_spec(name)?;
        let kid = spec.kid.ok_or_else(|| Error::NoCardKid(name.to_string()))?;
        self.send_external_authenticate(name, spec, kid, data)
    }

    /// INTERNAL AUTHENTICATE (`00 88 00 KID 10 P ‖ S`, IRK) with the caller's P and S; returns
    /// the card's answer (for a comparison made elsewhere, e.g. with an HSM's).
    pub fn internal_authenticate_with(&mut self, p: &[u8; 8], s: &[u8; 8]) -> Result<Vec<u8>> {
        let spec = key_spec(key::IRK)?;
        let kid = spec.kid.unwrap_or(0);
        self.select_df(DfId::Ssse)?;
        let cmd = commands::internal_authenticate(kid, p, s).with_ne(256);
        self.send_ok(&cmd, || "INTERNAL AUTHENTICATE".into())
    }
}
