//! Card insert / remove events: a watcher polls every reader's state (PC/SC
//! `SCardGetStatusChange` without waiting, every [`POLL`]) and broadcasts what changed;
//! `GET /v1/events` streams them as server-sent events (`event: inserted|removed`, data JSON
//! `{"event":"inserted","reader":"…","atr":"…"}`).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
use serde::Serialize;
use sscard_terminal::transport::{reader_status, CardPresence};
use tokio::sync::{broadcast, watch};
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

use crate::server::AppState;

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

/// `GET /v1/events`.
pub async fn stream(
    State(state): State<Arc<AppState>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = BroadcastStream::new(state.events.subscribe());
    let st = state.clone();
    let s = rx.filter_map(|e| {
        let e = e.ok()?;
        let data = serde_json::to_string(&e).ok()?;
        Some(Ok(Event::default().event(e.event).data(data)))
    });
    // The stream ends when the service stops.
    let s = futures_util::StreamExt::take_until(s, async move { st.stopped().await });
    Sse::new(s).keep_alive(KeepAlive::default())
}
