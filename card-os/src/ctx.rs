//! What a card handler may touch, said by its context's type (as Nitrokey's opcard-rs separates
//! persistent from volatile state):
//!
//! * **persistent** state, the journaled image: `&Journal` in a [`ReadCtx`] (SELECT, READ
//!   BINARY/RECORD, INTERNAL AUTHENTICATE: cannot write the image), `&mut Journal` in a
//!   [`WriteCtx`] (writes, PIN and key try counters, lifecycle), none in a [`RamCtx`] (GET
//!   CHALLENGE);
//! * **volatile** state ([`Volatile`]: selection, PIN and key flags, challenge), always mutable;
//! * **configuration** ([`Config`]: the card's [`CardConfig`] and the image's [`Layout`]),
//!   always read-only.

use crate::config::CardConfig;
use crate::layout::{self, Layout};
use crate::security::state::Volatile;
use crate::store::{Journal, Store};
use sscard_apdu::StatusWord;
use sscard_specs::types::DfId;

/// The card's read-only configuration: what the host configured and what the image's header
/// fixed when it was opened.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    /// Profile, transport behaviour, quirks, seed (and faults).
    pub card: CardConfig,
    /// Where everything lives in the image (from its spec version).
    pub layout: Layout,
    /// The card family stored in the image header: how the card answers where families differ
    /// (`sscard_specs::family`, the one description the terminal and the suite use too).
    pub family: &'static sscard_specs::family::Family,
}

/// A handler's context; `N` is its access to the persistent image.
pub(crate) struct Ctx<'a, N> {
    /// Persistent state: the journaled image (`&Journal` or `&mut Journal`), or `()`.
    pub nvm: N,
    /// Volatile state (RAM).
    pub ram: &'a mut Volatile,
    /// Read-only configuration.
    pub config: &'a Config,
}

/// A handler that reads the image but cannot write it.
pub(crate) type ReadCtx<'a, S> = Ctx<'a, &'a Journal<S>>;
/// A handler that writes the image.
pub(crate) type WriteCtx<'a, S> = Ctx<'a, &'a mut Journal<S>>;
/// A handler that does not touch the image.
pub(crate) type RamCtx<'a> = Ctx<'a, ()>;

/// Read access to the image, which both [`ReadCtx`] and [`WriteCtx`] give.
pub(crate) trait Nvm {
    /// The store behind the journal.
    type Store: Store;
    /// The journaled image, read-only.
    fn journal(&self) -> &Journal<Self::Store>;
}

impl<S: Store> Nvm for &Journal<S> {
    type Store = S;
    fn journal(&self) -> &Journal<S> {
        self
    }
}

impl<S: Store> Nvm for &mut Journal<S> {
    type Store = S;
    fn journal(&self) -> &Journal<S> {
        self
    }
}

impl<N: Nvm> Ctx<'_, N> {
    /// Stored state of the application `df` (active, temporarily / permanently blocked).
    pub(crate) fn df_state(&self, df: DfId) -> Result<u8, StatusWord> {
        let mut b = [0u8; 1];
        self.nvm
            .journal()
            .read(layout::APP_STATE_OFF + df.index() as u32, &mut b)?;
        Ok(b[0])
    }

    /// Effective state of the current application: the current DF's, or the SSSE's when the
    /// SSSE is blocked and the current DF is below it.
    pub(crate) fn app_state(&self) -> Result<u8, StatusWord> {
        let own = self.df_state(self.ram.df)?;
        if matches!(self.ram.df, DfId::Mf | DfId::Ssse) {
            return Ok(own);
        }
        Ok(own.max(self.df_state(DfId::Ssse)?))
    }
}
