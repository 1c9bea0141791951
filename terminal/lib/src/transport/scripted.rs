//! [`ScriptedTransport`]: a [`Transport`] that answers from a script — for unit tests of the
//! session logic and for reproducing a misbehaving card from a trace; [`FamilyCard`]: a card that
//! answers the way its card family (`sscard_specs::family`) does, with the genuine bytes of a
//! trace where the trace shows them.

use std::collections::VecDeque;

use sscard_apdu::commands::{CardCommand, RecordSelector, SelectBy};
use sscard_apdu::exchange::{exchange, ExchangeError, RawTransmit, T0Policy};
use sscard_apdu::fci::write_fci;
use sscard_apdu::{CommandView, StatusWord};
use sscard_specs::family::{EfAddr, Family, ReadRecordAnswer};
use sscard_specs::files::{MF_FID, SSSE_NAME};
use sscard_specs::DfId;

use crate::transport::{Transport, TransportError};

/// One scripted exchange: the command expected (or any, when `None`) and the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The exact command bytes expected; `None` accepts any command.
    pub expect: Option<Vec<u8>>,
    /// The response (data ‖ SW1 SW2).
    pub answer: Vec<u8>,
}

/// Replays [`Step`]s in order; an unexpected or extra command is a
/// [`TransportError::BadCommand`] naming what was sent.
#[derive(Clone, Debug, Default)]
pub struct ScriptedTransport {
    steps: VecDeque<Step>,
    atr: Vec<u8>,
    sent: Vec<Vec<u8>>,
}

fn unhex(s: &str) -> Vec<u8> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(clean).unwrap_or_default()
}

impl ScriptedTransport {
    /// An empty script for a card with this ATR.
    pub fn new(atr: &[u8]) -> Self {
        ScriptedTransport {
            steps: VecDeque::new(),
            atr: atr.to_vec(),
            sent: Vec::new(),
        }
    }

    /// Expect `cmd` (hex, spaces allowed) and answer `answer` (hex).
    pub fn expect(mut self, cmd: &str, answer: &str) -> Self {
        self.steps.push_back(Step {
            expect: Some(unhex(cmd)),
            answer: unhex(answer),
        });
        self
    }

    /// Answer the next command, whatever it is, with `answer` (hex).
    pub fn any(mut self, answer: &str) -> Self {
        self.steps.push_back(Step {
            expect: None,
            answer: unhex(answer),
        });
        self
    }

    /// Whether every step was used.
    pub fn is_done(&self) -> bool {
        self.steps.is_empty()
    }
}

impl Transport for ScriptedTransport {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent.push(cmd.to_vec());
        let step = self.steps.pop_front().ok_or_else(|| {
            TransportError::BadCommand(format!("unscripted command {}", hex::encode_upper(cmd)))
        })?;
        if let Some(want) = &step.expect {
            if want.as_slice() != cmd {
                return Err(TransportError::BadCommand(format!(
                    "expected {}, got {}",
                    hex::encode_upper(want),
                    hex::encode_upper(cmd)
                )));
            }
        }
        Ok(step.answer)
    }

    fn atr(&self) -> &[u8] {
        &self.atr
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        Ok(())
    }

    fn apdu_count(&self) -> u64 {
        u64::try_from(self.sent.len()).unwrap_or(u64::MAX)
    }
}

// ================================================================ a card that answers as its family

/// Where the simulated card's current selection is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Selected {
    /// The MF (after reset, or `00 A4 00 00 02 3F00`).
    Mf,
    /// The SSSE (selected by name).
    Ssse,
}

/// A simulated card of one [`Family`]: it answers SELECT, READ RECORD, GET RESPONSE and
/// GET CHALLENGE the way the family description says (`sscard_specs::family`: SSSE selectable by
/// name or `6A82` with its EFs in the MF, the FCI, the Le rules of READ RECORD), from records the
/// caller gives — and, where a genuine trace shows the answer to a command, with the genuine
/// bytes ([`FamilyCard::genuine`]).
///
/// It is the replay card of the trace tests (`real-cards.md` T1–T4): what the trace shows is
/// answered verbatim, what it does not show is answered the family's way. Like the other
/// transports, [`Transport::transmit`] runs the raw card through
/// [`sscard_apdu::exchange`](mod@sscard_apdu::exchange) and counts every leg.
///
/// Not modelled: access rules (every EF is readable), writes, PINs, keys (GET CHALLENGE answers
/// 8 fixed bytes; EXTERNAL / INTERNAL AUTHENTICATE answer `6D00`).
#[derive(Clone, Debug)]
pub struct FamilyCard {
    family: &'static Family,
    atr: Vec<u8>,
    t0: bool,
    files: Vec<(EfAddr, Vec<Vec<u8>>)>,
    genuine: Vec<(Vec<u8>, Vec<u8>)>,
    selected: Selected,
    current_ef: Option<EfAddr>,
    pending: Vec<u8>,
    policy: T0Policy,
    legs: Vec<Vec<u8>>,
    genuine_used: usize,
}

impl FamilyCard {
    /// A card of `family` with this ATR. `t0`: a command with a data field whose answer has data
    /// answers `61xx` (GET RESPONSE fetches it), as genuine cards do; `false` answers the data at
    /// once, as a reader DLL delivers it (`real-cards.md` T3).
    pub fn new(family: &'static Family, atr: &[u8], t0: bool) -> Self {
        FamilyCard {
            family,
            atr: atr.to_vec(),
            t0,
            files: Vec::new(),
            genuine: Vec::new(),
            selected: Selected::Mf,
            current_ef: None,
            pending: Vec::new(),
            policy: T0Policy::DEFAULT,
            legs: Vec::new(),
            genuine_used: 0,
        }
    }

    /// The records of `ef` in record order, each `tag | len | value` (hex, spaces allowed).
    pub fn records(mut self, ef: impl Into<EfAddr>, records: &[impl AsRef<str>]) -> Self {
        let ef = ef.into();
        let recs = records.iter().map(|r| unhex(r.as_ref())).collect();
        self.files.retain(|(a, _)| *a != ef);
        self.files.push((ef, recs));
        self
    }

    /// A genuine exchange: when the raw command is exactly `cmd` (hex), the card answers
    /// `answer` (hex, data ‖ SW) instead of its own answer (its selection still moves as the
    /// family's card would).
    pub fn genuine(mut self, cmd: &str, answer: &str) -> Self {
        self.genuine.push((unhex(cmd), unhex(answer)));
        self
    }

    /// The T=0 policy [`Transport::transmit`] applies (default: follow `61xx`, re-issue `6Cxx`).
    pub fn set_t0_policy(&mut self, policy: T0Policy) {
        self.policy = policy;
    }

    /// The family the card answers as.
    pub fn family(&self) -> &'static Family {
        self.family
    }

    /// Every raw command that reached the card (each leg of an exchange), in order.
    pub fn legs(&self) -> &[Vec<u8>] {
        &self.legs
    }

    /// How many legs were answered with genuine bytes.
    pub fn genuine_answers(&self) -> usize {
        self.genuine_used
    }

    /// The card's own answer to one raw command (data ‖ SW), ignoring the genuine exchanges:
    /// the trace tests compare it with the genuine answers.
    pub fn answer(&mut self, cmd: &[u8]) -> Vec<u8> {
        let (mut data, sw) = match CommandView::parse(cmd) {
            Ok(view) => self.process(&view),
            Err(_) => (Vec::new(), StatusWord::WRONG_LENGTH),
        };
        data.extend_from_slice(&sw.to_bytes());
        data
    }

    fn records_of(&self, ef: EfAddr) -> Option<&[Vec<u8>]> {
        self.files
            .iter()
            .find(|(a, _)| *a == ef)
            .map(|(_, r)| r.as_slice())
    }

    /// Where the family keeps the SSSE's EFs: below the SSSE, or in the MF when the SSSE cannot
    /// be selected by name.
    fn ef_here(&self, fid: u16) -> Option<EfAddr> {
        let df = match (self.selected, self.family.ssse_by_name()) {
            (Selected::Ssse, true) | (Selected::Mf, false) => DfId::Ssse,
            (Selected::Mf, true) => DfId::Mf,
            (Selected::Ssse, false) => return None,
        };
        let a = EfAddr { df, fid };
        self.records_of(a).map(|_| a)
    }

    /// Shape a reply of a command with a data field (T=0: `61xx`, data kept).
    fn case4(&mut self, data: Vec<u8>) -> (Vec<u8>, StatusWord) {
        if self.t0 && !data.is_empty() {
            let n = u8::try_from(data.len()).unwrap_or(0);
            self.pending = data;
            return (Vec::new(), StatusWord::more_data(n));
        }
        (data, StatusWord::OK)
    }

    /// Shape a case-2 reply of `data` to `le` (the P3 byte) by the family's Le rules.
    fn case2(&self, le: u8, data: Vec<u8>) -> (Vec<u8>, StatusWord) {
        let len = u8::try_from(data.len()).unwrap_or(u8::MAX);
        match self.family.read_record_answer(le, len) {
            ReadRecordAnswer::Exact | ReadRecordAnswer::Full9000 => (data, StatusWord::OK),
            ReadRecordAnswer::Truncate9000 { len } => (
                data.into_iter().take(usize::from(len)).collect(),
                StatusWord::OK,
            ),
            ReadRecordAnswer::WrongLe6C { record_len } => {
                (Vec::new(), StatusWord::wrong_le(record_len))
            }
            ReadRecordAnswer::NoPreciseDiagnosis6F00 => {
                (Vec::new(), StatusWord::NO_PRECISE_DIAGNOSIS)
            }
        }
    }

    fn process(&mut self, view: &CommandView<'_>) -> (Vec<u8>, StatusWord) {
        let cmd = match CardCommand::decode(view) {
            Ok(c) => c,
            Err(sw) => return (Vec::new(), sw),
        };
        if !matches!(cmd, CardCommand::GetResponse { .. }) {
            self.pending.clear();
        }
        let le = view.ne.map_or(0, |n| u8::try_from(n).unwrap_or(0));
        match cmd {
            CardCommand::Select { by, .. } => self.select(by),
            CardCommand::ReadRecord { sfi, mode } => {
                let ef = match sfi {
                    None => self.current_ef,
                    Some(sfi) => self.sfi_ef(sfi),
                };
                let Some(ef) = ef else {
                    return (Vec::new(), StatusWord::FILE_NOT_FOUND);
                };
                let recs = self.records_of(ef).unwrap_or_default();
                let data = match mode {
                    RecordSelector::ByNumber(n) => {
                        recs.get(usize::from(n).wrapping_sub(1)).cloned()
                    }
                    RecordSelector::ByTag(t) => {
                        recs.iter().find(|r| r.first() == Some(&t)).cloned()
                    }
                    RecordSelector::AllFrom(n) => {
                        let from = usize::from(n).saturating_sub(1);
                        (from < recs.len())
                            .then(|| recs.iter().skip(from).flatten().copied().collect())
                    }
                };
                match data {
                    Some(d) => self.case2(le, d),
                    None => (Vec::new(), StatusWord::RECORD_NOT_FOUND),
                }
            }
            CardCommand::GetResponse { le } => {
                if self.pending.is_empty() {
                    return (Vec::new(), StatusWord::CONDITIONS_NOT_SATISFIED);
                }
                let rest = self.pending.len();
                if usize::from(le) != rest {
                    return (
                        Vec::new(),
                        StatusWord::wrong_le(u8::try_from(rest).unwrap_or(0)),
                    );
                }
                (std::mem::take(&mut self.pending), StatusWord::OK)
            }
            CardCommand::GetChallenge { len } => self.case2(le, vec![0x5A; usize::from(len)]),
            _ => (Vec::new(), StatusWord::INS_NOT_SUPPORTED),
        }
    }

    fn sfi_ef(&self, sfi: u8) -> Option<EfAddr> {
        self.files.iter().map(|(a, _)| *a).find(|a| {
            self.family.ef_spec(*a).is_some_and(|s| s.sfi == sfi) && self.ef_here(a.fid).is_some()
        })
    }

    fn select(&mut self, by: SelectBy<'_>) -> (Vec<u8>, StatusWord) {
        match by {
            SelectBy::Name(name) if name == SSSE_NAME => match self.family.fci() {
                Some(fci) => {
                    let mut out = [0u8; 64];
                    let n =
                        write_fci(fci.df_name(), fci.sfi, fci.algorithm_id, &mut out).unwrap_or(0);
                    self.selected = Selected::Ssse;
                    self.current_ef = None;
                    self.case4(out.get(..n).unwrap_or_default().to_vec())
                }
                None => (Vec::new(), StatusWord::FILE_NOT_FOUND),
            },
            SelectBy::Name(_) => (Vec::new(), StatusWord::FILE_NOT_FOUND),
            SelectBy::Fid(None) => {
                self.selected = Selected::Mf;
                self.current_ef = None;
                (Vec::new(), StatusWord::OK)
            }
            SelectBy::Fid(Some(fid)) if fid == MF_FID => {
                self.selected = Selected::Mf;
                self.current_ef = None;
                (Vec::new(), StatusWord::OK)
            }
            SelectBy::Fid(Some(fid)) | SelectBy::ChildEf(fid) => match self.ef_here(fid) {
                Some(ef) => {
                    self.current_ef = Some(ef);
                    (Vec::new(), StatusWord::OK)
                }
                None => (Vec::new(), StatusWord::FILE_NOT_FOUND),
            },
            SelectBy::ChildDf(_) => (Vec::new(), StatusWord::FILE_NOT_FOUND),
        }
    }
}

struct CardLeg<'a>(&'a mut FamilyCard);

impl RawTransmit for CardLeg<'_> {
    type Error = TransportError;
    fn transmit_raw(&mut self, cmd: &[u8], resp: &mut [u8]) -> Result<usize, TransportError> {
        let card = &mut *self.0;
        card.legs.push(cmd.to_vec());
        let mut answer = card.answer(cmd);
        if let Some((_, g)) = card.genuine.iter().find(|(c, _)| c.as_slice() == cmd) {
            answer = g.clone();
            card.genuine_used += 1;
        }
        let out = resp
            .get_mut(..answer.len())
            .ok_or(TransportError::Exchange("response buffer too small".into()))?;
        out.copy_from_slice(&answer);
        Ok(answer.len())
    }
}

impl FamilyCard {
    fn transmit_policy(
        &mut self,
        cmd: &[u8],
        follow_61xx: bool,
    ) -> Result<Vec<u8>, TransportError> {
        let view =
            CommandView::parse(cmd).map_err(|e| TransportError::BadCommand(e.to_string()))?;
        let policy = T0Policy {
            follow_61xx: self.policy.follow_61xx && follow_61xx,
            ..self.policy
        };
        let mut out = vec![0u8; 4096];
        let (n, _) =
            exchange(&mut CardLeg(self), &view, &policy, &mut out).map_err(|e| match e {
                ExchangeError::Transport(t) => t,
                other => TransportError::Exchange(other.to_string()),
            })?;
        out.truncate(n.saturating_add(2));
        Ok(out)
    }
}

impl Transport for FamilyCard {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.transmit_policy(cmd, true)
    }

    fn transmit_leaving_61xx(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.transmit_policy(cmd, false)
    }

    fn atr(&self) -> &[u8] {
        &self.atr
    }

    fn reset(&mut self) -> Result<(), TransportError> {
        self.selected = Selected::Mf;
        self.current_ef = None;
        self.pending.clear();
        Ok(())
    }

    fn apdu_count(&self) -> u64 {
        u64::try_from(self.legs.len()).unwrap_or(u64::MAX)
    }
}
