//! Card insert / remove events: a watcher polls every reader's state (PC/SC
//! `SCardGetStatusChange` without waiting, every [`POLL`]) and broadcasts what changed;
//! `GET /v1/events` ([`crate::api::events`]) streams them as server-sent events (`event: inserted|removed`, data JSON
//! `{"event":"inserted","reader":"…","atr":"…"}`).

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;
use sscard_terminal::transport::{reader_status, CardPresence};
use tokio::sync::{broadcast, watch};

/// How often reader states are looked at.
pub const POLL: Duration = Duration::from_millis(200);

/// One change of a reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CardEvent {
    /// `inserted` or `removed`.
    pub event: &'static str,
    /// The reader.
    pub reader: String,
    /// The card's ATR (hex) on insertion.
    pub atr: Option<String>,
}

/// Start the watcher (a blocking task that ends when `stopped` turns true).
pub fn spawn_watcher(
    events: broadcast::Sender<CardEvent>,
    stopped: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::task::spawn_blocking(move || {
        let mut last: HashMap<String, CardPresence> = HashMap::new();
        // Ends on stop, and when the service is dropped without a stop (the sender is gone).
        while !*stopped.borrow() && stopped.has_changed().is_ok() {
            if let Ok(readers) = reader_status() {
                let mut now = HashMap::new();
                for r in readers {
                    let before = last.get(&r.name).copied().unwrap_or(CardPresence::Empty);
                    if r.card != before {
                        let event = match r.card {
                            CardPresence::Present => Some("inserted"),
                            CardPresence::Empty if before == CardPresence::Present => {
                                Some("removed")
                            }
                            _ => None,
                        };
                        if let Some(event) = event {
                            let _ = events.send(CardEvent {
                                event,
                                reader: r.name.clone(),
                                atr: r.atr.clone(),
                            });
                        }
                    }
                    now.insert(r.name, r.card);
                }
                for (name, state) in &last {
                    if *state == CardPresence::Present && !now.contains_key(name) {
                        let _ = events.send(CardEvent {
                            event: "removed",
                            reader: name.clone(),
                            atr: None,
                        });
                    }
                }
                last = now;
            }
            std::thread::sleep(POLL);
        }
    })
}
