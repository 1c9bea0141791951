//! Load (issue 13, acceptance 3): 50 concurrent clients × 200 basic-info reads against one
//! virtual reader through pcscd. Every reply must be the card's data, the card's trace must
//! show each operation's APDUs contiguous (the service serialises whole operations per reader),
//! and nothing may fail; then a second virtual reader is read alone and in parallel with the
//! first, to show it keeps its own throughput. Prints throughput and p50/p99 latency (no timing
//! assertions: speed is measured, not tested). Run by `scripts/e2e-pcsc.sh`, or alone:
//!
//! ```sh
//! scripts/pcscd-start.sh
//! SSCARD_PCSC_E2E=1 ip netns exec sscard-pcsc cargo test --release -p sscard-serve --test serve_load -- --include-ignored --nocapture
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sscard_e2e::{e2e, CardFiles, Live, READER0, READER1, WAIT};
use sscard_emulate::serve::{memory_sink, EmulateOptions, Emulator};
use sscard_emulate::vpcd::SECOND_PORT;
use sscard_terminal::transport::{wait_for_card, wait_for_card_removed};
use support::{card_commands, Conn, Service};

const CLIENTS: usize = 50;
const READS: usize = 200;

/// What one run of `clients × reads` against `reader` measured.
struct Run {
    ops: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn per_second(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        let mut l = self.latencies.clone();
        l.sort_unstable();
        let i = ((l.len() as f64 * p).ceil() as usize).clamp(1, l.len()) - 1;
        l[i]
    }

    fn report(&self, what: &str) -> String {
        format!(
            "{what}: {} reads in {:.2} s = {:.0} reads/s, p50 {:.1} ms, p99 {:.1} ms",
            self.ops,
            self.elapsed.as_secs_f64(),
            self.per_second(),
            self.percentile(0.50).as_secs_f64() * 1e3,
            self.percentile(0.99).as_secs_f64() * 1e3,
        )
    }
}

/// `clients` connections, each `reads` sequential `GET /v1/readers/{reader}/card`, every answer
/// checked against `want` (the national string).
async fn hammer(svc: &Service, reader: &str, clients: usize, reads: usize, want: &str) -> Run {
    let path = format!("/v1/readers/{}/card", reader.replace(' ', "%20"));
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(clients * reads)));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let mut conn = Conn::open(svc).await;
        let (path, want, latencies) = (path.clone(), want.to_string(), latencies.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::with_capacity(reads);
            for _ in 0..reads {
                let t = Instant::now();
                let r = conn.get(&path).await;
                mine.push(t.elapsed());
                let j = r.ok();
                assert_eq!(j["national"], want.as_str(), "a wrong reply: {j}");
            }
            latencies.lock().unwrap().extend(mine);
        }));
    }
    for t in tasks {
        t.await.expect("a client failed");
    }
    let elapsed = started.elapsed();
    let latencies = latencies.lock().unwrap().clone();
    Run {
        ops: latencies.len(),
        elapsed,
        latencies,
    }
}

/// APDUs of one basic read on the 2.00 demo card: SELECT SSSE, READ EF05, the EF0D probe that
/// tells national-2.00 from jiangsu-2.00, READ EF06.
const APDUS_PER_READ: usize = 4;

/// The card's commands since `from`: exactly `ops` repetitions of one basic-read operation, never
/// interleaved (a second operation's SELECT inside another's reads would break the pattern).
fn assert_contiguous(commands: &[String], ops: usize) {
    assert_eq!(commands.len(), ops * APDUS_PER_READ, "APDUs per operation");
    let first: Vec<&String> = commands.iter().take(APDUS_PER_READ).collect();
    assert!(first[0].contains("SELECT"), "{first:?}");
    for (i, op) in commands.chunks(APDUS_PER_READ).enumerate() {
        let op: Vec<&String> = op.iter().collect();
        assert_eq!(
            op, first,
            "operation {i} is not contiguous / not the same APDUs"
        );
    }
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn fifty_clients_on_one_reader_and_a_second_reader_in_parallel() {
    let _g = e2e("fifty_clients_on_one_reader_and_a_second_reader_in_parallel");
    let files = CardFiles::personalised("serve-load");
    let files2 = CardFiles::personalised("serve-load-2");
    let live = Live::card(&files);
    // The second card, in vpcd's second reader.
    let _ = wait_for_card_removed(READER1, WAIT);
    let mut opts = EmulateOptions::new(files2.card.clone());
    opts.port = SECOND_PORT;
    let (sink2, trace2) = memory_sink();
    let emu2 = Emulator::start_with_sink(&opts, Some(sink2)).unwrap();
    wait_for_card(READER1, WAIT).unwrap();
    let commands2 = || -> Vec<String> {
        trace2
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| e.lines().next())
            .filter(|l| l.starts_with("[card]") && l.contains(" > "))
            .map(str::to_owned)
            .collect()
    };

    let report = support::block_on(async {
        let svc = Service::start(None, |_| {}).await;
        let want = svc.call("GET", "/v1/readers/0/card", None).await.ok()["national"]
            .as_str()
            .unwrap()
            .to_string();
        let want2 = svc.call("GET", "/v1/readers/1/card", None).await.ok()["national"]
            .as_str()
            .unwrap()
            .to_string();

        // 1. 50 × 200 on reader 0.
        let from = card_commands(&live).len();
        let one = hammer(&svc, READER0, CLIENTS, READS, &want).await;
        assert_eq!(one.ops, CLIENTS * READS);
        assert_contiguous(&card_commands(&live)[from..], one.ops);

        // 2. The second reader alone (10 × 100).
        let from2 = commands2().len();
        let alone = hammer(&svc, READER1, 10, 100, &want2).await;
        // 3. Both at once: 50 × 200 on reader 0, 10 × 100 on reader 1.
        let from = card_commands(&live).len();
        let (both0, both1) = tokio::join!(
            hammer(&svc, READER0, CLIENTS, READS, &want),
            hammer(&svc, READER1, 10, 100, &want2)
        );
        assert_contiguous(&card_commands(&live)[from..], both0.ops);
        assert_contiguous(&commands2()[from2..], alone.ops + both1.ops);
        svc.stop().await;
        [
            one.report("reader 0, 50 clients x 200"),
            alone.report("reader 1 alone, 10 clients x 100"),
            both0.report("reader 0 (50 x 200) while reader 1 runs"),
            both1.report("reader 1 (10 x 100) while reader 0 runs"),
        ]
    });
    for line in &report {
        println!("serve load: {line}");
    }
    emu2.stop().unwrap();
    live.stop();
}
