//! The PSAM key-record addressing (usage byte, key id) is `sscard_specs::psam`'s
//! ([`key_slot`](sscard_specs::psam::key_slot), [`key_slots`](sscard_specs::psam::key_slots),
//! [`KeySlot`](sscard_specs::psam::KeySlot)); this module only keeps the name the PSAM host
//! driver (`host.rs`, moving to the terminal library) imports.

pub use sscard_specs::psam::key_slot_by_name as slot_by_name;
