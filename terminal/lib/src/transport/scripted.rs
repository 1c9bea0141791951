//! [`ScriptedTransport`]: a [`Transport`] that answers from a script — for unit tests of the
//! session logic and for reproducing a misbehaving card from a trace.

use std::collections::VecDeque;

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
