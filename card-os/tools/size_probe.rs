//! Code-size probe: a static library exporting the card OS entry points with a concrete store, so
//! a `--gc-sections` link rooted at them measures what firmware would carry. Build and measure:
//!
//! `card-os/tools/size.sh` compiles it with `rustc` against the crate's thumbv7em release build
//! (cargo examples would drag in the host-only dev-dependencies) and links it with `rust-lld
//! --gc-sections`, rooted at the exported functions.
#![no_std]
#![allow(missing_docs)]

use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::store::SliceStore;
use sscard_card_os::{factory_initialise, Card, CardConfig, CardIdentity, FactoryParams, RESP_MAX};
use sscard_keys::profile::SSCARD_2;
use sscard_specs::versions::SpecVersion;

/// The firmware's card: a card over a flash region.
pub type FlashCard = Card<SliceStore<'static>>;

/// `size_of::<Option<FlashCard>>()` on the target, as the size of this symbol (`size.sh` reads it
/// from the probe library with `nm -S`; the links rooted at the entry points drop it): the RAM or
/// stack the host reserves for the card object, next to the static RAM of the image.
#[no_mangle]
pub static SSCARD_CARD_OBJECT: [u8; core::mem::size_of::<Option<FlashCard>>()] =
    [0; core::mem::size_of::<Option<FlashCard>>()];

/// Open a card over `flash`.
#[no_mangle]
pub extern "C" fn sscard_open(flash: &'static mut [u8; 24 * 1024], out: &mut Option<FlashCard>) -> bool {
    *out = Card::new(SliceStore::new(&mut flash[..]), CardConfig::new(&SSCARD_2)).ok();
    out.is_some()
}

/// Process one APDU.
#[no_mangle]
pub extern "C" fn sscard_process(card: &mut FlashCard, cmd: &[u8; 261], len: usize, resp: &mut [u8; RESP_MAX]) -> usize {
    card.process(cmd.get(..len).unwrap_or(&[]), resp)
}

/// Factory-format `flash` (test keys).
#[no_mangle]
pub extern "C" fn sscard_format(flash: &mut [u8; 24 * 1024]) -> bool {
    let keys = test_issuer_keys(&SSCARD_2);
    let identity = CardIdentity { region_bcd: [0x43, 0x02, 0x99], serial: [0; 4], atr_historical: [0; 13] };
    let p = FactoryParams { profile: &SSCARD_2, version: SpecVersion::V2_00, identity, keys: &keys, pin: b"123456" };
    factory_initialise(&mut SliceStore::new(&mut flash[..]), &p).is_ok()
}

/// The workspace's `sm3 = "0.5"` (default features) enables `digest/alloc`, so the dependency
/// graph links `alloc` and rustc demands a global allocator although nothing allocates. This null
/// allocator satisfies the link (TODO(lead): `sm3 = { version = "0.5", default-features = false }`
/// in the workspace Cargo.toml removes the need; then delete this).
struct NoAlloc;

// SAFETY: never hands out memory (always null), which GlobalAlloc permits as "allocation failed".
unsafe impl core::alloc::GlobalAlloc for NoAlloc {
    unsafe fn alloc(&self, _: core::alloc::Layout) -> *mut u8 {
        core::ptr::null_mut()
    }
    unsafe fn dealloc(&self, _: *mut u8, _: core::alloc::Layout) {}
}

#[global_allocator]
static ALLOC: NoAlloc = NoAlloc;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
