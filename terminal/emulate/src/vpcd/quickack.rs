//! `TCP_QUICKACK` for the vpcd socket.
//!
//! Debian's vpcd (vsmartcard 3.3) writes each message as two `send()`s — the 2-byte length,
//! then the payload — on a socket with Nagle's algorithm on. The payload is held back until
//! the length is acknowledged, and Linux delays that ACK by ~40 ms: every APDU and every ATR
//! poll took ~43 ms (measured with strace and pcscd's `-a` log). Asking for immediate ACKs
//! after each read removes the stall (APDU round trip well under a millisecond). Linux clears
//! the flag on its own, so it is set again after every read. Elsewhere this is a no-op.

use std::net::TcpStream;

#[cfg(target_os = "linux")]
pub(super) fn quickack(stream: &TcpStream) {
    use std::ffi::{c_int, c_void};
    use std::os::fd::AsRawFd;

    const IPPROTO_TCP: c_int = 6;
    const TCP_QUICKACK: c_int = 12;
    extern "C" {
        fn setsockopt(
            fd: c_int,
            level: c_int,
            name: c_int,
            value: *const c_void,
            len: u32,
        ) -> c_int;
    }
    let one: c_int = 1;
    let len = std::mem::size_of::<c_int>() as u32;
    // SAFETY: `fd` is a live socket owned by `stream` for the duration of the call; `value`
    // points to a c_int that outlives the call and `len` is its size. Failure is harmless
    // (only latency is affected), so the result is ignored.
    let _ = unsafe {
        setsockopt(
            stream.as_raw_fd(),
            IPPROTO_TCP,
            TCP_QUICKACK,
            (&raw const one).cast(),
            len,
        )
    };
}

#[cfg(not(target_os = "linux"))]
pub(super) fn quickack(_stream: &TcpStream) {}
