//! [`SharedTransport`]: one card connection used by several owners in turn (a card kept
//! powered across calls of the national interface, so its state — the selected DF, a challenge
//! given for an HSM round trip — survives between them, as a PC/SC card left with `LEAVE_CARD`).

use std::sync::{Arc, Mutex, MutexGuard};

use super::{Transport, TransportError};

/// A transport behind `Arc<Mutex<…>>`; clones share the connection.
#[derive(Debug)]
pub struct SharedTransport<T: Transport> {
    inner: Arc<Mutex<T>>,
    atr: Vec<u8>,
}

impl<T: Transport> Clone for SharedTransport<T> {
    fn clone(&self) -> Self {
        SharedTransport {
            inner: Arc::clone(&self.inner),
            atr: self.atr.clone(),
        }
    }
}

impl<T: Transport> SharedTransport<T> {
    /// Share `t`.
    pub fn new(t: T) -> Self {
        let atr = t.atr().to_vec();
        SharedTransport {
            inner: Arc::new(Mutex::new(t)),
            atr,
        }
    }

    /// The transport (a poisoned lock is taken over: the transport has no invariant a panic
    /// could break).
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T: Transport> Transport for SharedTransport<T> {
    fn transmit(&mut self, cmd: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.lock().transmit(cmd)
    }
    fn atr(&self) -> &[u8] {
        &self.atr
    }
    fn reset(&mut self) -> Result<(), TransportError> {
        let mut t = self.lock();
        t.reset()?;
        let atr = t.atr().to_vec();
        drop(t);
        self.atr = atr;
        Ok(())
    }
    fn apdu_count(&self) -> u64 {
        self.lock().apdu_count()
    }
    fn pin_pad_features(&mut self) -> Result<super::pinpad::PinPadFeatures, TransportError> {
        self.lock().pin_pad_features()
    }
    fn control(&mut self, code: u32, data: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.lock().control(code, data)
    }
}
