//! [`AppState`]: what every handler shares — the configuration, the token, the ports, the rate
//! limiter, the cards ([`Hub`]), the event channel and the stop signal.

use tokio::sync::{broadcast, watch};

use crate::config::Config;
use crate::events::CardEvent;
use crate::hub::{Hub, SecuritySource};
use crate::rate::RateLimiter;
use crate::token::Token;

/// What every handler shares.
#[derive(Debug)]
pub struct AppState {
    /// The configuration.
    pub config: Config,
    /// The installation token.
    pub token: Token,
    /// The ports the service listens on (for Host and own-origin checks).
    pub ports: Vec<u16>,
    /// Rate limiting.
    pub rate: RateLimiter,
    /// The cards.
    pub hub: Hub,
    /// Card insert/remove events.
    pub events: broadcast::Sender<CardEvent>,
    /// Turns true when the service stops: long-lived answers (event streams, WebSockets) end, so
    /// the graceful shutdown does not wait for their clients.
    pub stopping: watch::Receiver<bool>,
    pub(crate) stop: watch::Sender<bool>,
}

impl AppState {
    /// The shared state of a service with `config` and `token` listening on `ports`.
    pub fn new(config: Config, token: Token, ports: Vec<u16>) -> AppState {
        let security = match (&config.keys, &config.psam_reader) {
            (Some(k), _) => SecuritySource::Keys(k.clone()),
            (None, Some(p)) => SecuritySource::Psam(p.clone()),
            (None, None) => SecuritySource::None,
        };
        let (events, _) = broadcast::channel(64);
        let (stop, stopping) = watch::channel(false);
        AppState {
            rate: RateLimiter::new(config.rate_per_minute),
            config,
            token,
            ports,
            hub: Hub::new(security),
            events,
            stopping,
            stop,
        }
    }

    /// Resolves once the service is stopping.
    pub async fn stopped(&self) {
        let mut rx = self.stopping.clone();
        let _ = rx.wait_for(|s| *s).await;
    }
}
