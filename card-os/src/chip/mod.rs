//! The chip frame shared by the card and the PSAM: power on/off, the `process` framing (parse the
//! APDU, decode it into the application's typed command, GET RESPONSE, dispatch, shape the
//! response, append SW1 SW2), T=0 shaping ([`t0`]) and the challenge generator ([`rng`]).
//!
//! An [`Application`] (the card, [`crate::card`]; the PSAM, [`crate::psam`]) supplies only what
//! differs: its command set, its volatile state, what it checks before decoding and how its
//! handlers answer. Neither repeats the frame.

pub(crate) mod rng;
pub(crate) mod t0;

use rng::Rng;
use sscard_apdu::{CommandView, StatusWord};
use t0::Pending;

/// Longest response `process` writes: 256 data bytes + SW1 SW2.
pub const RESP_MAX: usize = 258;

/// A successful handler result: `len` response bytes were written, answer `sw`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reply {
    pub len: usize,
    pub sw: StatusWord,
}

impl Reply {
    pub(crate) const OK: Reply = Reply {
        len: 0,
        sw: StatusWord::OK,
    };
    pub(crate) fn data(len: usize) -> Reply {
        Reply {
            len,
            sw: StatusWord::OK,
        }
    }
}

/// Handler result.
pub(crate) type Res = Result<Reply, StatusWord>;

/// How the chip hands a reply to the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transport {
    /// T=1 style: data returned directly, truncated to Le.
    T1,
    /// T=0 behaviour ([`t0`]): `61xx` + GET RESPONSE, `6Cxx` on a wrong Le announcing the length
    /// plus `announce_extra` (0 on a correct chip).
    T0 { announce_extra: usize },
}

/// What the chip frame runs: one application (the card OS, the PSAM OS).
pub(crate) trait Application {
    /// The application's typed command.
    type Command<'a>;
    /// What the application takes from its state before decoding (the card's single-use
    /// challenge: every APDU consumes it, even a malformed one), handed to [`Self::execute`].
    type Admit;

    /// Decodes a parsed APDU (all CLA/INS/P1/P2/length checks); the status word on refusal.
    fn decode<'a>(view: &CommandView<'a>) -> Result<Self::Command<'a>, StatusWord>;
    /// `Some(le)` when `cmd` is GET RESPONSE (answered by the frame from the kept reply).
    fn get_response(cmd: &Self::Command<'_>) -> Option<u16>;
    /// Runs before decoding, for every APDU; an error answers at once (no command runs).
    fn admit(&mut self) -> Result<Self::Admit, StatusWord>;
    /// Runs a decoded command (never GET RESPONSE): `ne` is the APDU's Le, `rng` the chip's
    /// challenge generator, `out` the response buffer.
    fn execute(
        &mut self,
        cmd: Self::Command<'_>,
        admit: Self::Admit,
        ne: Option<u32>,
        rng: &mut Rng,
        out: &mut [u8],
    ) -> Res;
    /// How replies are shaped.
    fn transport(&self) -> Transport;
    /// The application's part of a cold power-up (volatile state cleared, …).
    fn power_on(&mut self);
    /// The application's part of power-off (volatile state lost).
    fn power_off(&mut self);
}

/// The chip: an application plus the frame's own volatile state (kept reply, challenge
/// generator, power).
#[derive(Clone, Debug)]
pub(crate) struct Chip<A> {
    pub(crate) app: A,
    pending: Pending,
    pub(crate) rng: Rng,
    powered: bool,
    boots: u32,
}

impl<A: Application> Chip<A> {
    /// The chip around `app`, powered on.
    pub(crate) fn new(app: A, rng: Rng) -> Self {
        let mut chip = Chip {
            app,
            pending: Pending::default(),
            rng,
            powered: false,
            boots: 0,
        };
        chip.power_on();
        chip
    }

    /// Cold power-up: the application's power-up, no kept reply, the generator stirred.
    pub(crate) fn power_on(&mut self) {
        self.app.power_on();
        self.pending.clear();
        self.boots = self.boots.wrapping_add(1);
        self.rng.stir(self.boots);
        self.powered = true;
    }

    /// Power off: the volatile state is lost.
    pub(crate) fn power_off(&mut self) {
        self.app.power_off();
        self.pending.clear();
        self.powered = false;
    }

    /// Whether the chip is powered.
    pub(crate) fn is_powered(&self) -> bool {
        self.powered
    }

    /// Processes one command APDU; writes `data ‖ SW1 SW2` into `resp` and returns its length.
    /// `resp` should hold [`RESP_MAX`] bytes (a shorter buffer caps the data); never panics; 0
    /// only when `resp` is shorter than 2 bytes. An unpowered chip is powered on first.
    pub(crate) fn process(&mut self, cmd: &[u8], resp: &mut [u8]) -> usize {
        if resp.len() < 2 {
            return 0;
        }
        if !self.powered {
            self.power_on();
        }
        let cap = resp.len().saturating_sub(2).min(RESP_MAX - 2);
        let (len, sw) = match resp.get_mut(..cap) {
            Some(out) => self.run(cmd, out),
            None => (0, StatusWord::NO_PRECISE_DIAGNOSIS),
        };
        let len = len.min(cap);
        match resp.get_mut(len..len.saturating_add(2)) {
            Some(s) => {
                s.copy_from_slice(&sw.to_bytes());
                len.saturating_add(2)
            }
            None => 0,
        }
    }

    fn run(&mut self, raw: &[u8], out: &mut [u8]) -> (usize, StatusWord) {
        let admit = match self.app.admit() {
            Ok(a) => a,
            Err(sw) => {
                self.pending.clear();
                return (0, sw);
            }
        };
        let Ok(view) = CommandView::parse(raw) else {
            self.pending.clear();
            return (0, StatusWord::WRONG_LENGTH);
        };
        let cmd = match A::decode(&view) {
            Ok(c) => c,
            Err(sw) => {
                self.pending.clear();
                return (0, sw);
            }
        };
        if let Some(le) = A::get_response(&cmd) {
            return self.pending.get_response(le, out);
        }
        self.pending.clear();
        let (has_data_field, ne) = (!view.data.is_empty(), view.ne);
        match self.app.execute(cmd, admit, ne, &mut self.rng, out) {
            Ok(reply) => self.shape(has_data_field, ne, reply, out),
            Err(sw) => (0, sw),
        }
    }

    /// Applies the transport behaviour to a handler's reply: T=0 shaping, or (T=1 style) the data
    /// truncated to Le.
    fn shape(
        &mut self,
        has_data_field: bool,
        ne: Option<u32>,
        reply: Reply,
        out: &mut [u8],
    ) -> (usize, StatusWord) {
        let Reply { len, sw } = reply;
        match self.app.transport() {
            Transport::T1 => (ne.map_or(len, |n| len.min(n as usize)), sw),
            Transport::T0 { announce_extra } => {
                self.pending
                    .shape(has_data_field, ne, len, sw, out, announce_extra)
            }
        }
    }
}

/// An ATR in `N` bytes: `prefix` (TS, T0, the interface bytes) followed by the historical
/// bytes and, with `tck`, the check byte (ISO/IEC 7816-3 §8.2.5: the XOR of T0 up to the last
/// historical byte, present whenever a protocol other than T=0 is offered). Bytes past the ATR
/// stay 0.
pub(crate) fn atr<const N: usize>(prefix: &[u8], historical: &[u8], tck: bool) -> [u8; N] {
    let mut atr = [0u8; N];
    atr.iter_mut()
        .zip(prefix.iter().chain(historical))
        .for_each(|(d, s)| *d = *s);
    if tck {
        let end = prefix.len().saturating_add(historical.len());
        let check = atr
            .get(1..end)
            .unwrap_or(&[])
            .iter()
            .fold(0u8, |x, b| x ^ b);
        if let Some(t) = atr.get_mut(end) {
            *t = check;
        }
    }
    atr
}
