//! The outbox's promises under random interleavings (a model-based property test).
//!
//! A desk with three clients on the Standard preset lives through a random sequence of steps:
//! bookings, time passing, scheduler passes (some of them stopped dead between two steps, as a
//! killed process is: the engine is dropped mid-pass and opened again on the same file), the
//! network's faults on the next send (answer lost after the provider took the text, request cut
//! before it arrived, 429, 503), STOP, YES, moves, cancellations, phone changes, pause and
//! resume, backup and restore. The carrier is the Sandbox's, whose records live in the same
//! database file and survive every restart, so it is the ground truth of what was sent.
//!
//! After every step, against that truth and a small model of what the desk did:
//! - no reminder reaches the carrier twice;
//! - nothing but the opt-out confirmation goes to a number after its STOP (until a YES);
//! - nothing goes to a number a client no longer has;
//! - no reminder goes for an appointment after it was cancelled, or for a time it was moved
//!   from.
//!
//! And once the run settles (faults gone, sending resumed, a few clean passes): every text the
//! carrier took is one Tidings row with its id, none is left "sending", and every text that did
//! not go says why.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod outbox_model;

use proptest::prelude::*;

use outbox_model::{op, Fault, Op, World};

/// CI runs the same cases every time (a fixed seed), so a red run is this change's doing;
/// `TIDINGS_MODEL_SEED=random` (or a number) and `TIDINGS_MODEL_CASES` explore further.
fn seed() -> proptest::test_runner::RngSeed {
    match std::env::var("TIDINGS_MODEL_SEED").ok().as_deref() {
        Some("random") => proptest::test_runner::RngSeed::Random,
        Some(n) => proptest::test_runner::RngSeed::Fixed(n.parse().unwrap_or(20_261_206)),
        None => proptest::test_runner::RngSeed::Fixed(20_261_206),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("TIDINGS_MODEL_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48),
        rng_seed: seed(),
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_text_twice_none_after_its_stop_none_lost(ops in proptest::collection::vec(op(), 1..48)) {
        let mut world = World::new();
        for (i, op) in ops.iter().enumerate() {
            world.apply(op);
            world.check(&ops[..=i]);
        }
        world.settle(&ops);
    }
}

fn run_ops(ops: &[Op]) {
    let mut world = World::new();
    for (i, op) in ops.iter().enumerate() {
        world.apply(op);
        world.check(&ops[..=i]);
    }
    world.settle(ops);
}

/// A send whose answer was lost, the process stopped, then a restore to before that booking.
#[test]
fn a_restore_after_a_lost_answer_and_a_stopped_process() {
    run_ops(&[
        Op::Pass { minutes: 86 },
        Op::Book {
            client: 2,
            hours: 20,
        },
        Op::Move { nth: 0 },
        Op::Book {
            client: 0,
            hours: 20,
        },
        Op::Yes { client: 2 },
        Op::Backup,
        Op::Book {
            client: 0,
            hours: 20,
        },
        Op::Fault(Fault::AnswerLost),
        Op::Resume,
        Op::Tick {
            kill_after: Some(3),
        },
        Op::Restore,
    ]);
}

/// An appointment moved while its reminder's send had no clear answer: the move used to fail
/// (one live reminder per rule); the new time is planned once the old send is settled.
#[test]
fn moving_an_appointment_while_its_reminder_is_unclear() {
    run_ops(&[
        Op::Pass { minutes: 286 },
        Op::Fault(Fault::AnswerLost),
        Op::Book {
            client: 0,
            hours: 23,
        },
        Op::Pass { minutes: 341 },
        Op::Book {
            client: 0,
            hours: 20,
        },
        Op::Tick { kill_after: None },
        Op::Fault(Fault::AnswerLost),
        Op::Move { nth: 0 },
    ]);
}

/// Restoring the same backup twice, the second time with reminders claimed by a pass that was
/// stopped dead: the restored plan used to clash with the reminders on their way.
#[test]
fn restoring_twice_over_reminders_on_their_way() {
    let mut ops = vec![Op::Pass { minutes: 90 }];
    ops.extend((0..3).map(|_| Op::Book {
        client: 0,
        hours: 20,
    }));
    ops.push(Op::Pass { minutes: 843 });
    ops.extend((0..5).map(|_| Op::Book {
        client: 0,
        hours: 20,
    }));
    ops.extend([
        Op::Backup,
        Op::Pass { minutes: 447 },
        Op::Restore,
        Op::Tick {
            kill_after: Some(2),
        },
        Op::Restore,
    ]);
    run_ops(&ops);
}

/// A STOP and then a YES after the backup, a reminder sent in between, then a restore: the
/// restored plan still had that reminder waiting, and used to send it again.
#[test]
fn a_restore_after_a_reminder_went_does_not_send_it_again() {
    run_ops(&[
        Op::Book {
            client: 2,
            hours: 35,
        },
        Op::Book {
            client: 0,
            hours: 20,
        },
        Op::Backup,
        Op::Stop { client: 2 },
        Op::Pass { minutes: 582 },
        Op::Pass { minutes: 798 },
        Op::Yes { client: 2 },
        Op::Tick { kill_after: None },
        Op::Restore,
    ]);
}

/// A reminder whose answer was lost, its appointment moved, then the client's STOP: the new
/// time's reminder must still be decided (here: not sent, because they opted out).
#[test]
fn a_move_while_unclear_then_a_stop_leaves_nothing_undecided() {
    run_ops(&[
        Op::Book {
            client: 0,
            hours: 32,
        },
        Op::Pass { minutes: 88 },
        Op::Fault(Fault::AnswerLost),
        Op::Fault(Fault::NeverArrived),
        Op::Book {
            client: 0,
            hours: 20,
        },
        Op::Stop { client: 1 },
        Op::Pass { minutes: 148 },
        Op::Pass { minutes: 314 },
        Op::Pass { minutes: 830 },
        Op::Tick { kill_after: None },
        Op::Move { nth: 0 },
        Op::Stop { client: 0 },
    ]);
}
