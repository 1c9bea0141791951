//! Host-side T=0 handling, in one place: follow `61xx` with GET RESPONSE, re-issue on `6Cxx`,
//! or do neither ([`T0Policy::RAW`]). Generic over a [`RawTransmit`] (PC/SC, in-process card
//! OS, a test script); no allocation.

use crate::command::SHORT_MAX_LEN;
use crate::commands::Instruction;
use crate::{ApduError, CommandView, StatusWord};

/// Sends one APDU and receives the raw response (data ‖ SW1 SW2).
pub trait RawTransmit {
    /// The transport's error.
    type Error;
    /// Transmits `cmd`, writes the response into `resp` and returns its length.
    fn transmit_raw(&mut self, cmd: &[u8], resp: &mut [u8]) -> Result<usize, Self::Error>;
}

impl<T: RawTransmit + ?Sized> RawTransmit for &mut T {
    type Error = T::Error;
    fn transmit_raw(&mut self, cmd: &[u8], resp: &mut [u8]) -> Result<usize, Self::Error> {
        (**self).transmit_raw(cmd, resp)
    }
}

/// What [`exchange`] does with the T=0 status words `61xx` and `6Cxx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct T0Policy {
    /// On `61xx`, send GET RESPONSE with Le = xx and append its data.
    pub follow_61xx: bool,
    /// On `6Cxx`, re-issue the command once with Le = xx.
    pub retry_6cxx: bool,
    /// CLA of GET RESPONSE (`00` by default; some cards want the command's CLA).
    pub get_response_cla: u8,
    /// Most GET RESPONSE rounds per exchange; more is [`ExchangeError::TooManyRounds`].
    pub max_rounds: u8,
}

impl T0Policy {
    /// Follow `61xx` (GET RESPONSE with CLA `00`, up to 32 rounds) and re-issue on `6Cxx`.
    pub const DEFAULT: Self = Self {
        follow_61xx: true,
        retry_6cxx: true,
        get_response_cla: 0x00,
        max_rounds: 32,
    };
    /// Raw mode: one APDU, the card's answer returned untouched.
    pub const RAW: Self = Self {
        follow_61xx: false,
        retry_6cxx: false,
        get_response_cla: 0x00,
        max_rounds: 0,
    };
}

impl Default for T0Policy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Counters of what an exchange sent; [`exchange_with_stats`] *adds* to them, so one value can
/// count a whole session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ExchangeStats {
    /// APDUs actually transmitted (including GET RESPONSE and re-issued commands).
    pub apdus_sent: u32,
    /// GET RESPONSE commands sent.
    pub get_responses: u32,
    /// Commands re-issued after `6Cxx`.
    pub resends: u32,
}

/// Why an exchange failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError<E> {
    /// The transport failed.
    #[error("transport error: {0}")]
    Transport(E),
    /// The command could not be encoded.
    #[error("bad command: {0}")]
    Apdu(ApduError),
    /// `out` cannot hold the expected response data plus the status word.
    #[error("response buffer too small")]
    BufferTooSmall,
    /// The card answered fewer than 2 bytes.
    #[error("response shorter than a status word")]
    ResponseTooShort,
    /// The transport reported more bytes than the buffer it was given.
    #[error("transport reported an impossible response length")]
    BadResponseLength,
    /// The card kept answering `61xx` beyond [`T0Policy::max_rounds`].
    #[error("too many GET RESPONSE rounds")]
    TooManyRounds,
}

/// Sends `cmd` and applies `policy`; response data of all rounds is concatenated into `out`.
///
/// Returns the data length and the final status word. `out` must hold the expected data (Ne of
/// each round) plus 2 bytes for the status word, else [`ExchangeError::BufferTooSmall`] (checked
/// before sending). Bytes of `out` past the returned length are scratch.
pub fn exchange<T: RawTransmit>(
    t: &mut T,
    cmd: &CommandView<'_>,
    policy: &T0Policy,
    out: &mut [u8],
) -> Result<(usize, StatusWord), ExchangeError<T::Error>> {
    exchange_with_stats(t, cmd, policy, out, &mut ExchangeStats::default())
}

/// [`exchange`], adding the APDUs sent to `stats`.
pub fn exchange_with_stats<T: RawTransmit>(
    t: &mut T,
    cmd: &CommandView<'_>,
    policy: &T0Policy,
    out: &mut [u8],
    stats: &mut ExchangeStats,
) -> Result<(usize, StatusWord), ExchangeError<T::Error>> {
    let mut next = *cmd;
    let mut pos = 0usize;
    let mut rounds = 0u8;
    let mut resent = false;
    loop {
        let (len, sw) = transmit_one(t, &next, out, pos)?;
        stats.apdus_sent = stats.apdus_sent.saturating_add(1);
        if policy.retry_6cxx && !resent && sw.sw1() == 0x6C {
            // The data of a 6Cxx answer (normally none) is dropped; the re-issue replaces it.
            resent = true;
            stats.resends = stats.resends.saturating_add(1);
            next.ne = sw.exact_le().map(u32::from);
            continue;
        }
        pos = pos
            .checked_add(len)
            .ok_or(ExchangeError::BadResponseLength)?;
        if policy.follow_61xx && sw.sw1() == 0x61 {
            if rounds >= policy.max_rounds {
                return Err(ExchangeError::TooManyRounds);
            }
            rounds += 1;
            stats.get_responses = stats.get_responses.saturating_add(1);
            next = CommandView {
                cla: policy.get_response_cla,
                ins: Instruction::GetResponse.byte(),
                p1: 0x00,
                p2: 0x00,
                data: &[],
                ne: sw.bytes_available().map(u32::from),
                extended: false,
            };
            continue;
        }
        return Ok((pos, sw));
    }
}

/// One APDU: response written at `out[pos..]`; returns (data length, SW).
fn transmit_one<T: RawTransmit>(
    t: &mut T,
    cmd: &CommandView<'_>,
    out: &mut [u8],
    pos: usize,
) -> Result<(usize, StatusWord), ExchangeError<T::Error>> {
    let expected =
        usize::try_from(cmd.ne.unwrap_or(0)).map_err(|_| ExchangeError::BufferTooSmall)?;
    let need = expected
        .checked_add(2)
        .ok_or(ExchangeError::BufferTooSmall)?;
    let area = out.get_mut(pos..).ok_or(ExchangeError::BufferTooSmall)?;
    if area.len() < need {
        return Err(ExchangeError::BufferTooSmall);
    }
    let clen = cmd.encoded_len();
    let mut short = [0u8; SHORT_MAX_LEN];
    let (resp, n) = if clen <= SHORT_MAX_LEN {
        let n = cmd.encode(&mut short).map_err(ExchangeError::Apdu)?;
        let c = short
            .get(..n)
            .ok_or(ExchangeError::Apdu(ApduError::BufferTooSmall))?;
        let n = t.transmit_raw(c, area).map_err(ExchangeError::Transport)?;
        (&*area, n)
    } else {
        // Extended command: encode it at the end of `out`, receive into the front.
        let split = area
            .len()
            .checked_sub(clen)
            .filter(|&s| s >= need)
            .ok_or(ExchangeError::BufferTooSmall)?;
        let (resp, cbuf) = area.split_at_mut(split);
        let n = cmd.encode(cbuf).map_err(ExchangeError::Apdu)?;
        let c = cbuf
            .get(..n)
            .ok_or(ExchangeError::Apdu(ApduError::BufferTooSmall))?;
        let n = t.transmit_raw(c, resp).map_err(ExchangeError::Transport)?;
        (&*resp, n)
    };
    let r = resp.get(..n).ok_or(ExchangeError::BadResponseLength)?;
    let data_len = n.checked_sub(2).ok_or(ExchangeError::ResponseTooShort)?;
    let sw = r.get(data_len..).ok_or(ExchangeError::ResponseTooShort)?;
    let sw = <[u8; 2]>::try_from(sw).map_err(|_| ExchangeError::ResponseTooShort)?;
    Ok((data_len, StatusWord::from_bytes(sw)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands;
    use hex_literal::hex;
    use std::collections::VecDeque;

    /// Expects exact command bytes and answers with scripted responses.
    struct Script {
        steps: VecDeque<(Vec<u8>, Vec<u8>)>,
        sent: Vec<Vec<u8>>,
    }

    impl Script {
        fn new(steps: &[(&[u8], &[u8])]) -> Self {
            Self {
                steps: steps
                    .iter()
                    .map(|(c, r)| (c.to_vec(), r.to_vec()))
                    .collect(),
                sent: Vec::new(),
            }
        }
        fn done(&self) -> bool {
            self.steps.is_empty()
        }
    }

    #[derive(Debug, PartialEq)]
    enum ScriptError {
        Unexpected,
        NoSpace,
    }

    impl RawTransmit for Script {
        type Error = ScriptError;
        fn transmit_raw(&mut self, cmd: &[u8], resp: &mut [u8]) -> Result<usize, ScriptError> {
            self.sent.push(cmd.to_vec());
            let (want, answer) = self.steps.pop_front().ok_or(ScriptError::Unexpected)?;
            assert_eq!(cmd, want.as_slice(), "unexpected command");
            resp.get_mut(..answer.len())
                .ok_or(ScriptError::NoSpace)?
                .copy_from_slice(&answer);
            Ok(answer.len())
        }
    }

    /// Answers `61 xx` forever.
    struct Forever61;
    impl RawTransmit for Forever61 {
        type Error = ();
        fn transmit_raw(&mut self, _cmd: &[u8], resp: &mut [u8]) -> Result<usize, ()> {
            resp[..3].copy_from_slice(&hex!("AA 6101"));
            Ok(3)
        }
    }

    const SELECT_SSSE: [u8; 20] = hex!("00A404000F 7378312E73682EC9E7BBE1B1A3D5CF");
    const FCI: [u8; 24] = hex!("6F16840F7378312E73682EC9E7BBE1B1A3D5CFA50388011E");

    #[test]
    fn case4_on_t0_follows_61xx() {
        let mut fci_sw = FCI.to_vec();
        fci_sw.extend_from_slice(&hex!("9000"));
        let mut t = Script::new(&[
            (&SELECT_SSSE, &hex!("6118")),
            (&hex!("00C0000018"), &fci_sw),
        ]);
        let cmd = CommandView::parse(&SELECT_SSSE).unwrap();
        let mut out = [0u8; 258];
        let mut stats = ExchangeStats::default();
        let (n, sw) =
            exchange_with_stats(&mut t, &cmd, &T0Policy::DEFAULT, &mut out, &mut stats).unwrap();
        assert_eq!(sw, StatusWord::OK);
        assert_eq!(&out[..n], &FCI);
        assert!(t.done());
        assert_eq!(
            stats,
            ExchangeStats {
                apdus_sent: 2,
                get_responses: 1,
                resends: 0
            }
        );
    }

    #[test]
    fn case4_61_10_then_get_response() {
        let cmd = commands::internal_authenticate(0, &[1; 8], &[2; 8]);
        let mut bytes = [0u8; 32];
        let len = cmd.encode(&mut bytes).unwrap();
        let mut t = Script::new(&[
            (&bytes[..len], &hex!("6110")),
            (
                &hex!("00C0000010"),
                &hex!("000102030405060708090A0B0C0D0E0F 9000"),
            ),
        ]);
        let mut out = [0u8; 64];
        let (n, sw) = exchange(&mut t, &cmd.view(), &T0Policy::DEFAULT, &mut out).unwrap();
        assert_eq!((n, sw), (16, StatusWord::OK));
        assert_eq!(out[15], 0x0F);
    }

    #[test]
    fn chained_61xx_twice_with_configured_cla() {
        let policy = T0Policy {
            get_response_cla: 0x80,
            ..T0Policy::DEFAULT
        };
        let mut t = Script::new(&[
            (&hex!("00B2010500"), &hex!("0102 6102")),
            (&hex!("80C0000002"), &hex!("0304 6101")),
            (&hex!("80C0000001"), &hex!("05 9000")),
        ]);
        let cmd = CommandView::parse(&hex!("00B2010500")).unwrap();
        let mut out = [0u8; 300];
        let mut stats = ExchangeStats {
            apdus_sent: 10,
            ..Default::default()
        };
        let (n, sw) = exchange_with_stats(&mut t, &cmd, &policy, &mut out, &mut stats).unwrap();
        assert_eq!(&out[..n], &hex!("0102030405"));
        assert_eq!(sw, StatusWord::OK);
        assert_eq!(stats.apdus_sent, 13);
        assert_eq!(stats.get_responses, 2);
    }

    #[test]
    fn get_response_6100_means_256() {
        let mut big = vec![0x5A; 256];
        big.extend_from_slice(&hex!("9000"));
        let mut t = Script::new(&[
            (&hex!("00B0000000"), &hex!("6100")),
            (&hex!("00C0000000"), &big),
        ]);
        let cmd = CommandView::parse(&hex!("00B0000000")).unwrap();
        let mut out = [0u8; 258];
        let (n, sw) = exchange(&mut t, &cmd, &T0Policy::DEFAULT, &mut out).unwrap();
        assert_eq!((n, sw), (256, StatusWord::OK));
    }

    #[test]
    fn resend_on_6c() {
        let mut t = Script::new(&[
            (&hex!("00B2080000"), &hex!("6C08")),
            (&hex!("00B2080008"), &hex!("0806 313233343536 9000")),
        ]);
        let cmd = CommandView::parse(&hex!("00B2080000")).unwrap();
        let mut out = [0u8; 258];
        let mut stats = ExchangeStats::default();
        let (n, sw) =
            exchange_with_stats(&mut t, &cmd, &T0Policy::DEFAULT, &mut out, &mut stats).unwrap();
        assert_eq!(&out[..n], &hex!("0806313233343536"));
        assert_eq!(sw, StatusWord::OK);
        assert_eq!(
            stats,
            ExchangeStats {
                apdus_sent: 2,
                get_responses: 0,
                resends: 1
            }
        );
    }

    #[test]
    fn resend_only_once() {
        let mut t = Script::new(&[
            (&hex!("0084000004"), &hex!("6C08")),
            (&hex!("0084000008"), &hex!("6C10")),
        ]);
        let cmd = CommandView::parse(&hex!("0084000004")).unwrap();
        let mut out = [0u8; 64];
        let (n, sw) = exchange(&mut t, &cmd, &T0Policy::DEFAULT, &mut out).unwrap();
        assert_eq!((n, sw), (0, StatusWord::wrong_le(0x10)));
        assert!(t.done());
    }

    #[test]
    fn resend_then_61xx() {
        let mut t = Script::new(&[
            (&hex!("0084000004"), &hex!("6C08")),
            (&hex!("0084000008"), &hex!("6108")),
            (&hex!("00C0000008"), &hex!("0102030405060708 9000")),
        ]);
        let cmd = CommandView::parse(&hex!("0084000004")).unwrap();
        let mut out = [0u8; 64];
        let (n, sw) = exchange(&mut t, &cmd, &T0Policy::DEFAULT, &mut out).unwrap();
        assert_eq!((n, sw), (8, StatusWord::OK));
    }

    #[test]
    fn raw_mode_returns_61xx_and_6cxx_untouched() {
        let mut t = Script::new(&[(&SELECT_SSSE, &hex!("6118"))]);
        let cmd = CommandView::parse(&SELECT_SSSE).unwrap();
        let mut out = [0u8; 64];
        let mut stats = ExchangeStats::default();
        let (n, sw) =
            exchange_with_stats(&mut t, &cmd, &T0Policy::RAW, &mut out, &mut stats).unwrap();
        assert_eq!((n, sw), (0, StatusWord::more_data(0x18)));
        assert_eq!(stats.apdus_sent, 1);
        let mut t = Script::new(&[(&hex!("0084000004"), &hex!("6C08"))]);
        let cmd = CommandView::parse(&hex!("0084000004")).unwrap();
        let (_, sw) = exchange(&mut t, &cmd, &T0Policy::RAW, &mut out).unwrap();
        assert_eq!(sw, StatusWord::wrong_le(8));
    }

    #[test]
    fn misbehaving_card_61xx_forever() {
        let cmd = CommandView::parse(&hex!("00B0000001")).unwrap();
        let mut out = [0u8; 1024];
        let mut stats = ExchangeStats::default();
        let policy = T0Policy {
            max_rounds: 5,
            ..T0Policy::DEFAULT
        };
        let r = exchange_with_stats(&mut Forever61, &cmd, &policy, &mut out, &mut stats);
        assert_eq!(r, Err(ExchangeError::TooManyRounds));
        assert_eq!(stats.apdus_sent, 6);
        // with the default bound, a small buffer runs out first: an error, not a panic
        let mut small = [0u8; 10];
        let r = exchange(&mut Forever61, &cmd, &T0Policy::DEFAULT, &mut small);
        assert_eq!(r, Err(ExchangeError::BufferTooSmall));
    }

    #[test]
    fn buffer_too_small_before_sending() {
        let mut t = Script::new(&[]);
        let cmd = CommandView::parse(&hex!("00B0000010")).unwrap();
        let mut out = [0u8; 17];
        assert_eq!(
            exchange(&mut t, &cmd, &T0Policy::DEFAULT, &mut out),
            Err(ExchangeError::BufferTooSmall)
        );
        assert!(t.sent.is_empty());
    }

    #[test]
    fn transport_and_short_responses() {
        let mut t = Script::new(&[(&hex!("00A40000023F00"), &hex!("90"))]);
        let cmd = commands::select_by_fid(0x3F00);
        let mut out = [0u8; 16];
        assert_eq!(
            exchange(&mut t, &cmd.view(), &T0Policy::DEFAULT, &mut out),
            Err(ExchangeError::ResponseTooShort)
        );
        let mut t = Script::new(&[]);
        assert_eq!(
            exchange(&mut t, &cmd.view(), &T0Policy::DEFAULT, &mut out),
            Err(ExchangeError::Transport(ScriptError::Unexpected))
        );
        let bad = CommandView {
            ne: Some(0),
            ..cmd.view()
        };
        assert_eq!(
            exchange(&mut t, &bad, &T0Policy::DEFAULT, &mut out),
            Err(ExchangeError::Apdu(ApduError::InvalidNe))
        );
    }

    #[test]
    fn extended_command_uses_tail_of_out() {
        let data = [0x11u8; 300];
        let cmd = crate::Command::<300>::new(0, 0xD6, 0, 0)
            .with_data(&data)
            .unwrap();
        let mut bytes = vec![0u8; 400];
        let len = cmd.encode(&mut bytes).unwrap();
        let mut t = Script::new(&[(&bytes[..len], &hex!("9000"))]);
        let mut out = [0u8; 400];
        let (n, sw) = exchange(&mut t, &cmd.view(), &T0Policy::DEFAULT, &mut out).unwrap();
        assert_eq!((n, sw), (0, StatusWord::OK));
        let mut t = Script::new(&[]);
        let mut small = [0u8; 100];
        assert_eq!(
            exchange(&mut t, &cmd.view(), &T0Policy::DEFAULT, &mut small),
            Err(ExchangeError::BufferTooSmall)
        );
    }
}
