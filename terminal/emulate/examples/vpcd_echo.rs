//! Dev tool: serve a trivial echo card on a vpcd slot until Ctrl-C / stdin EOF.
//!
//! ```text
//! scripts/pcscd-start.sh
//! ip netns exec sscard-pcsc cargo run -p sscard-terminal --example vpcd_echo -- 35963
//! echo '80 EE 00 00 02 CA FE 00' | scriptor -r 'Virtual PCD 00 00' -p T=1
//! ```
//! Answers `80 EE 00 00 Lc data` with data ‖ 9000, SELECT with 9000, anything else with 6D00.
//! `RUST_LOG=trace` shows every vpcd message.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use sscard_emulate::vpcd::{VirtualCard, VpcdConnection, DEFAULT_PORT};

struct Echo;

impl VirtualCard for Echo {
    fn atr(&mut self) -> Vec<u8> {
        vec![
            0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B,
        ]
    }
    fn power_on(&mut self) {}
    fn power_off(&mut self) {}
    fn reset(&mut self) {}
    fn execute(&mut self, apdu: &[u8]) -> Vec<u8> {
        match apdu {
            [0x80, 0xEE, 0x00, 0x00, lc, rest @ ..] => {
                let mut r: Vec<u8> = rest.iter().take(usize::from(*lc)).copied().collect();
                r.extend_from_slice(&[0x90, 0x00]);
                r
            }
            [0x00, 0xA4, ..] => vec![0x90, 0x00],
            _ => vec![0x6D, 0x00],
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "debug".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let port = match std::env::args().nth(1) {
        Some(p) => p.parse()?,
        None => DEFAULT_PORT,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = Arc::clone(&stop);
    // Stop when stdin closes (Ctrl-D, or the parent going away).
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        stop2.store(true, Ordering::SeqCst);
    });
    let mut conn = VpcdConnection::localhost(port);
    let stats = conn.run_until(&mut Echo, &stop)?;
    eprintln!("{stats:?}");
    Ok(())
}
