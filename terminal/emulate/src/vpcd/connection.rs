//! [`VpcdConnection`]: one virtual card attached to one vpcd slot over loopback TCP.

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::control::{CardControl, PullMode};
use super::error::VpcdError;
use super::quickack::quickack;
use super::{VirtualCard, CTRL_ATR, CTRL_OFF, CTRL_ON, CTRL_RESET};
use sscard_terminal::transport::redact;

/// vpcd's first slot ("Virtual PCD 00 00"), Debian's `/etc/reader.conf.d/vpcd` `CHANNELID 0x8C7B`.
pub const DEFAULT_PORT: u16 = 35963;
/// vpcd's second slot ("Virtual PCD 00 01").
pub const SECOND_PORT: u16 = 35964;

/// Largest payload the 2-byte length can carry.
const MAX_PAYLOAD: usize = 0xFFFF;
/// Answer sent instead of an empty or over-long R-APDU: `6F00` (no precise diagnosis).
const SW_NO_PRECISE_DIAGNOSIS: [u8; 2] = [0x6F, 0x00];

/// What one [`VpcdConnection::run_until`] call observed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// APDUs received (a swallowed one included).
    pub apdus: u64,
    /// ATR requests (presence polls) answered.
    pub atr_requests: u64,
    /// Power-on control messages.
    pub power_ons: u64,
    /// Power-off control messages.
    pub power_offs: u64,
    /// Reset control messages.
    pub resets: u64,
    /// TCP connections made.
    pub connections: u64,
    /// Card pulls that fired.
    pub pulls: u64,
}

/// Outcome of handling one message.
enum Step {
    Served,
    Pulled,
}

/// A virtual card's TCP connection to vpcd (the card is the client; vpcd in pcscd listens).
#[derive(Debug)]
pub struct VpcdConnection {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    control: CardControl,
    tick: Duration,
    connect_timeout: Duration,
    max_backoff: Duration,
    write_timeout: Duration,
}

impl VpcdConnection {
    /// A connection to `host:port`, which must be a loopback address (`127.0.0.1`, `::1`,
    /// `localhost`); no name resolution is done. Does not connect yet.
    pub fn new(host: &str, port: u16) -> Result<Self, VpcdError> {
        Ok(Self::with_addr(loopback_addr(host, port)?))
    }

    /// A connection to `127.0.0.1:port`.
    pub fn localhost(port: u16) -> Self {
        Self::with_addr(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
    }

    fn with_addr(addr: SocketAddr) -> Self {
        Self {
            addr,
            stream: None,
            control: CardControl::default(),
            tick: Duration::from_millis(50),
            connect_timeout: Duration::from_secs(1),
            max_backoff: Duration::from_secs(1),
            write_timeout: Duration::from_secs(5),
        }
    }

    /// How often a blocked read wakes up to look at the stop flag and pull requests (default
    /// 50 ms).
    pub fn with_tick(mut self, tick: Duration) -> Self {
        self.tick = tick.max(Duration::from_millis(1));
        self
    }

    /// The vpcd address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle to pull / reinsert the card and read counters from another thread.
    pub fn control(&self) -> CardControl {
        self.control.clone()
    }

    /// One connection attempt ("insert the card"). vpcd accepts the socket at its next presence
    /// poll, then asks for the ATR.
    pub fn connect(&mut self) -> Result<(), VpcdError> {
        if self.stream.is_some() {
            return Ok(());
        }
        let connect_err = |source| VpcdError::Connect {
            addr: self.addr,
            source,
        };
        let stream =
            TcpStream::connect_timeout(&self.addr, self.connect_timeout).map_err(connect_err)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(self.tick))?;
        stream.set_write_timeout(Some(self.write_timeout))?;
        quickack(&stream);
        tracing::debug!(addr = %self.addr, "vpcd: card inserted (connected)");
        self.stream = Some(stream);
        self.control.set_connected(true);
        Ok(())
    }

    /// Connect, retrying with exponential back-off (50 ms doubling up to the maximum) while
    /// pcscd/vpcd is not up yet. Gives up with [`VpcdError::Stopped`] when `stop` is raised and
    /// with [`VpcdError::ConnectTimeout`] after `limit` (if any).
    pub fn connect_with_backoff(
        &mut self,
        stop: &AtomicBool,
        limit: Option<Duration>,
    ) -> Result<(), VpcdError> {
        let start = Instant::now();
        let mut delay = Duration::from_millis(50);
        let mut attempts: u32 = 0;
        loop {
            if stop.load(Ordering::SeqCst) {
                return Err(VpcdError::Stopped);
            }
            match self.connect() {
                Ok(()) => return Ok(()),
                Err(VpcdError::Connect { source, .. }) => {
                    attempts = attempts.saturating_add(1);
                    if attempts == 1 || attempts % 20 == 0 {
                        tracing::debug!(addr = %self.addr, error = %source, attempts, "vpcd: not reachable yet, retrying");
                    }
                }
                Err(other) => return Err(other),
            }
            if let Some(limit) = limit {
                if start.elapsed() >= limit {
                    return Err(VpcdError::ConnectTimeout(self.addr));
                }
            }
            sleep_unless_stopped(delay, self.tick, stop);
            delay = delay.saturating_mul(2).min(self.max_backoff);
        }
    }

    /// Close the socket ("pull the card"). vpcd notices at its next ATR poll or APDU.
    pub fn disconnect(&mut self) {
        if let Some(stream) = self.stream.take() {
            // Errors are irrelevant: the socket is being thrown away either way.
            let _ = stream.shutdown(std::net::Shutdown::Both);
            tracing::debug!(addr = %self.addr, "vpcd: card removed (disconnected)");
        }
        self.control.set_connected(false);
    }

    /// Serve `card` until `stop` is raised: connect (with back-off), answer control messages and
    /// APDUs, reconnect when vpcd drops the connection (pcscd restarted), honour pull/reinsert
    /// requests from [`CardControl`]. Returns the counters; errors only on protocol violations.
    pub fn run_until<C: VirtualCard + ?Sized>(
        &mut self,
        card: &mut C,
        stop: &AtomicBool,
    ) -> Result<RunStats, VpcdError> {
        let mut stats = RunStats::default();
        loop {
            if stop.load(Ordering::SeqCst) {
                self.disconnect();
                return Ok(stats);
            }
            if self.control.is_pulled() {
                if self.control.take_reinsert() {
                    tracing::debug!(addr = %self.addr, "vpcd: card reinserted");
                } else {
                    sleep_unless_stopped(self.tick, self.tick, stop);
                    continue;
                }
            }
            if self.stream.is_none() {
                match self.connect_with_backoff(stop, None) {
                    Ok(()) => stats.connections = stats.connections.saturating_add(1),
                    Err(VpcdError::Stopped) => continue,
                    Err(e) => return Err(e),
                }
            }
            match self.serve_one(card, stop, &mut stats) {
                Ok(Step::Served) => {}
                Ok(Step::Pulled) => {
                    stats.pulls = stats.pulls.saturating_add(1);
                    self.disconnect();
                }
                Err(VpcdError::Stopped) => {}
                Err(e @ (VpcdError::Closed | VpcdError::Io(_))) => {
                    tracing::debug!(addr = %self.addr, error = %e, "vpcd: connection lost; reconnecting");
                    self.disconnect();
                }
                Err(e) => {
                    self.disconnect();
                    return Err(e);
                }
            }
        }
    }

    /// Wait for one message (waking every tick for `stop` / an immediate pull) and handle it.
    fn serve_one<C: VirtualCard + ?Sized>(
        &mut self,
        card: &mut C,
        stop: &AtomicBool,
        stats: &mut RunStats,
    ) -> Result<Step, VpcdError> {
        let control = self.control.clone();
        let stream = self.stream.as_mut().ok_or(VpcdError::Closed)?;
        let mut len = [0u8; 2];
        if !read_full(stream, &mut len, stop, Some(&control))? {
            return Ok(Step::Pulled);
        }
        let len = usize::from(u16::from_be_bytes(len));
        let mut msg = vec![0u8; len];
        read_full(stream, &mut msg, stop, None)?;

        match msg.as_slice() {
            [] => {
                tracing::warn!("vpcd: empty message ignored");
                Ok(Step::Served)
            }
            [code] => {
                match *code {
                    CTRL_ATR => {
                        stats.atr_requests = stats.atr_requests.saturating_add(1);
                        control.count_atr();
                        let atr = card.atr();
                        tracing::trace!(atr = %hex::encode_upper(&atr), "vpcd: ATR request");
                        send(stream, &atr)?;
                    }
                    CTRL_ON => {
                        stats.power_ons = stats.power_ons.saturating_add(1);
                        tracing::debug!("vpcd: power on");
                        card.power_on();
                    }
                    CTRL_OFF => {
                        stats.power_offs = stats.power_offs.saturating_add(1);
                        tracing::debug!("vpcd: power off");
                        card.power_off();
                    }
                    CTRL_RESET => {
                        stats.resets = stats.resets.saturating_add(1);
                        tracing::debug!("vpcd: reset");
                        card.reset();
                    }
                    other => tracing::warn!(code = other, "vpcd: unknown control code ignored"),
                }
                Ok(Step::Served)
            }
            apdu => {
                stats.apdus = stats.apdus.saturating_add(1);
                tracing::trace!(apdu = %redact(apdu), "vpcd: C-APDU");
                if control.fire_if(PullMode::BeforeExecute) {
                    tracing::debug!("vpcd: card pulled before executing the APDU");
                    return Ok(Step::Pulled);
                }
                let mut rapdu = card.execute(apdu);
                if control.fire_if(PullMode::AfterExecute) {
                    tracing::debug!("vpcd: card pulled after executing the APDU");
                    return Ok(Step::Pulled);
                }
                if rapdu.len() < 2 || rapdu.len() > MAX_PAYLOAD {
                    tracing::warn!(
                        len = rapdu.len(),
                        "vpcd: card gave an invalid R-APDU; answering 6F00"
                    );
                    rapdu = SW_NO_PRECISE_DIAGNOSIS.to_vec();
                }
                tracing::trace!(rapdu = %hex::encode_upper(&rapdu), "vpcd: R-APDU");
                send(stream, &rapdu)?;
                Ok(Step::Served)
            }
        }
    }
}

impl Drop for VpcdConnection {
    fn drop(&mut self) {
        self.disconnect();
    }
}

/// Parse a loopback host without name resolution.
fn loopback_addr(host: &str, port: u16) -> Result<SocketAddr, VpcdError> {
    let ip = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        bare.parse::<IpAddr>()
            .map_err(|_| VpcdError::NonLoopback(host.to_owned()))?
    };
    if !ip.is_loopback() {
        return Err(VpcdError::NonLoopback(host.to_owned()));
    }
    Ok(SocketAddr::new(ip, port))
}

/// Fill `buf`. Read timeouts are ticks: on each, honour `stop`; between messages (`control`
/// given and nothing read yet) also fire an [`PullMode::Immediately`] pull, returning `false`.
fn read_full(
    stream: &mut TcpStream,
    buf: &mut [u8],
    stop: &AtomicBool,
    control: Option<&CardControl>,
) -> Result<bool, VpcdError> {
    let mut filled = 0usize;
    while filled < buf.len() {
        let Some(rest) = buf.get_mut(filled..) else {
            break;
        };
        match stream.read(rest) {
            Ok(0) => return Err(VpcdError::Closed),
            Ok(n) => {
                quickack(stream);
                filled = filled.saturating_add(n);
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if stop.load(Ordering::SeqCst) {
                    return Err(VpcdError::Stopped);
                }
                if filled == 0 {
                    if let Some(control) = control {
                        if control.armed_pull() == Some(PullMode::Immediately)
                            && control.fire_if(PullMode::Immediately)
                        {
                            tracing::debug!("vpcd: card pulled");
                            return Ok(false);
                        }
                    }
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(VpcdError::Io(e)),
        }
    }
    Ok(true)
}

/// Send one framed message.
fn send(stream: &mut TcpStream, payload: &[u8]) -> Result<(), VpcdError> {
    let len = u16::try_from(payload.len())
        .map_err(|_| VpcdError::Protocol("message longer than 65535 bytes"))?;
    let mut frame = Vec::with_capacity(payload.len().saturating_add(2));
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(payload);
    stream.write_all(&frame)?;
    stream.flush()?;
    Ok(())
}

/// Sleep `total`, in steps of `step`, returning early when `stop` is raised.
fn sleep_unless_stopped(total: Duration, step: Duration, stop: &AtomicBool) {
    let end = Instant::now() + total;
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let now = Instant::now();
        if now >= end {
            return;
        }
        std::thread::sleep(step.min(end - now));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::net::TcpListener;
    use std::sync::Arc;

    #[test]
    fn refuses_non_loopback_hosts() {
        for host in [
            "10.0.0.1",
            "0.0.0.0",
            "example.com",
            "192.168.1.2",
            "::",
            "[2001:db8::1]",
            "",
        ] {
            assert!(
                matches!(
                    VpcdConnection::new(host, DEFAULT_PORT),
                    Err(VpcdError::NonLoopback(_))
                ),
                "{host}"
            );
        }
        for host in [
            "127.0.0.1",
            "localhost",
            "LOCALHOST",
            "::1",
            "[::1]",
            "127.1.2.3",
        ] {
            let c = VpcdConnection::new(host, DEFAULT_PORT).unwrap();
            assert!(c.addr().ip().is_loopback());
            assert_eq!(c.addr().port(), DEFAULT_PORT);
        }
    }

    struct Echo {
        log: Vec<&'static str>,
    }
    impl VirtualCard for Echo {
        fn atr(&mut self) -> Vec<u8> {
            vec![0x3B, 0x00]
        }
        fn power_on(&mut self) {
            self.log.push("on");
        }
        fn power_off(&mut self) {
            self.log.push("off");
        }
        fn reset(&mut self) {
            self.log.push("reset");
        }
        fn execute(&mut self, apdu: &[u8]) -> Vec<u8> {
            self.log.push("apdu");
            let mut r = apdu.to_vec();
            r.extend_from_slice(&[0x90, 0x00]);
            r
        }
    }

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut f = (payload.len() as u16).to_be_bytes().to_vec();
        f.extend_from_slice(payload);
        f
    }

    fn read_frame(s: &mut TcpStream) -> Vec<u8> {
        let mut len = [0u8; 2];
        s.read_exact(&mut len).unwrap();
        let mut buf = vec![0u8; usize::from(u16::from_be_bytes(len))];
        s.read_exact(&mut buf).unwrap();
        buf
    }

    /// The protocol against an in-test fake vpcd on an ephemeral 127.0.0.1 port (no pcscd).
    #[test]
    fn speaks_the_vpcd_protocol_and_honours_stop_and_pull() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let mut conn = VpcdConnection::localhost(port).with_tick(Duration::from_millis(10));
        let control = conn.control();
        let stop2 = Arc::clone(&stop);
        let card_thread = std::thread::spawn(move || {
            let mut card = Echo { log: Vec::new() };
            let stats = conn.run_until(&mut card, &stop2).unwrap();
            (stats, card.log)
        });

        let (mut s, _) = listener.accept().unwrap();
        s.write_all(&frame(&[CTRL_ATR])).unwrap();
        assert_eq!(read_frame(&mut s), vec![0x3B, 0x00]);
        s.write_all(&frame(&[CTRL_ON])).unwrap();
        // A frame split over two writes must still be read whole.
        let f = frame(&[0x00, 0x84, 0x00, 0x00, 0x08]);
        s.write_all(&f[..3]).unwrap();
        std::thread::sleep(Duration::from_millis(30));
        s.write_all(&f[3..]).unwrap();
        assert_eq!(
            read_frame(&mut s),
            vec![0x00, 0x84, 0x00, 0x00, 0x08, 0x90, 0x00]
        );
        s.write_all(&frame(&[CTRL_RESET])).unwrap();
        s.write_all(&frame(&[CTRL_ATR])).unwrap();
        assert_eq!(read_frame(&mut s), vec![0x3B, 0x00]);

        // Pull before execute: the socket closes, no answer.
        control.pull(PullMode::BeforeExecute);
        s.write_all(&frame(&[0x00, 0xA4, 0x00, 0x00])).unwrap();
        let mut b = [0u8; 1];
        assert_eq!(s.read(&mut b).unwrap(), 0);
        assert!(control.is_pulled());
        // Reinsert: the card connects again.
        control.reinsert();
        let (mut s2, _) = listener.accept().unwrap();
        // Pull after execute: executed, but no answer.
        control.pull(PullMode::AfterExecute);
        s2.write_all(&frame(&[0x00, 0xB0, 0x00, 0x00])).unwrap();
        assert_eq!(s2.read(&mut b).unwrap(), 0);
        control.reinsert();
        let (mut s3, _) = listener.accept().unwrap();
        s3.write_all(&frame(&[CTRL_OFF])).unwrap();
        s3.write_all(&frame(&[CTRL_ATR])).unwrap();
        assert_eq!(read_frame(&mut s3), vec![0x3B, 0x00]);

        stop.store(true, Ordering::SeqCst);
        let (stats, log) = card_thread.join().unwrap();
        assert_eq!(log, vec!["on", "apdu", "reset", "apdu", "off"]);
        assert_eq!(stats.apdus, 3);
        assert_eq!(stats.atr_requests, 3);
        assert_eq!(stats.connections, 3);
        assert_eq!(stats.pulls, 2);
        assert_eq!(control.connections(), 3);
        assert!(!control.is_connected());
    }

    #[test]
    fn backoff_gives_up_on_stop_and_on_limit() {
        // Bind then drop to get a port with (very likely) no listener.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut conn = VpcdConnection::localhost(port);
        let stop = AtomicBool::new(false);
        let r = conn.connect_with_backoff(&stop, Some(Duration::from_millis(200)));
        assert!(matches!(r, Err(VpcdError::ConnectTimeout(_))), "{r:?}");
        stop.store(true, Ordering::SeqCst);
        assert!(matches!(
            conn.connect_with_backoff(&stop, None),
            Err(VpcdError::Stopped)
        ));
    }
}
