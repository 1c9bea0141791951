//! The R-APDU of one logical exchange, for the transports that plug their raw transmit into
//! [`sscard_apdu::exchange`](mod@sscard_apdu::exchange).

use sscard_apdu::exchange::{exchange, ExchangeError, RawTransmit, T0Policy};
use sscard_apdu::CommandView;

/// [`exchange`] of `cmd` through `leg` under `policy`, into a buffer of `room` bytes: the data
/// of all rounds followed by the final status word.
pub(crate) fn exchange_response<R: RawTransmit>(
    leg: &mut R,
    cmd: &CommandView<'_>,
    policy: &T0Policy,
    room: usize,
) -> Result<Vec<u8>, ExchangeError<R::Error>> {
    let mut out = vec![0u8; room];
    let (n, sw) = exchange(leg, cmd, policy, &mut out)?;
    out.truncate(n);
    out.extend_from_slice(&sw.to_bytes());
    Ok(out)
}
