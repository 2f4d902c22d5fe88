//! What the insights bench's year is made of in words: names, services, staff, and what
//! customers and staff write.

pub const FIRST: [&str; 24] = [
    "Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Chloe", "Lucas", "Ruby", "Omar", "Priya",
    "Mateo", "Hannah", "Kenji", "Sofia", "Diego", "Grace", "Tariq", "Ines", "Felix", "Amara",
    "Jonah", "Leila", "Marco",
];
pub const LAST: [&str; 20] = [
    "Nguyen", "Smith", "Garcia", "Okafor", "Kowalski", "Haddad", "Silva", "Brown", "Rossi",
    "Tanaka", "Murphy", "Schmidt", "Patel", "Dubois", "Ortiz", "Larsen", "Cohen", "Kim", "Novak",
    "Walsh",
];
/// (service, minutes)
pub const SERVICES: [(&str, i64); 10] = [
    ("haircut", 45),
    ("colour", 90),
    ("balayage", 120),
    ("blow-dry", 30),
    ("beard trim", 30),
    ("manicure", 45),
    ("pedicure", 60),
    ("facial", 60),
    ("massage", 60),
    ("physio session", 45),
];
pub const STAFF: [&str; 8] = ["Dana", "Sam", "Alex", "Jo", "Rita", "Kai", "Mel", "Theo"];
pub const YES: [&str; 8] = [
    "Yes",
    "YES",
    "yes",
    "Y",
    "Yes please",
    "yes thanks",
    "Confirmed",
    "YES see you then",
];
pub const NO: [&str; 5] = [
    "No",
    "NO",
    "No sorry, I need to cancel",
    "no I can't make it",
    "Sorry, I'm sick, can't come",
];
pub const RESCHEDULE: [&str; 4] = [
    "Can I move it to later in the day?",
    "Could we do next week instead?",
    "Do you have anything earlier?",
    "Can we change it to Friday?",
];
pub const QUESTIONS: [&str; 24] = [
    "Is it ok if I bring my daughter along?",
    "What time do you close on Saturday?",
    "How much is a cut and colour now?",
    "Sorry who is this?",
    "Can you remind me what I booked?",
    "Is the card machine working again?",
    "Can I pay by bank transfer?",
    "My husband will come instead",
    "Do you sell the shampoo you used last time?",
    "Can I book the same again in six weeks?",
    "Please call me when you get a chance",
    "The door was locked when I arrived",
    "Is there a lift? I have a pram",
    "Will it take longer than an hour?",
    "Can I change the stylist?",
    "Left my umbrella there yesterday, did anyone find it?",
    "Can I get a receipt emailed?",
    "stop texting the old number please, this is my new one",
    "Is there parking near you?",
    "Do you have gift cards?",
    "Are you open on the public holiday?",
    "Hi, do you have any openings this week?",
    "Can I book a haircut for my son too?",
    "Is Dana in on Thursday?",
];
pub const LATE: [&str; 5] = [
    "Running about 10 minutes late, sorry!",
    "Stuck in traffic, be there in 5",
    "On my way",
    "Might be a few mins late",
    "Parking now, 2 mins",
];
pub const THANKS: [&str; 6] = [
    "Thanks!",
    "ok",
    "👍",
    "Perfect",
    "Great, thank you so much",
    "See you then",
];
pub const FEEDBACK: [&str; 6] = [
    "5",
    "5",
    "4",
    "3",
    "Great thanks, 5",
    "4 - lovely as always",
];
pub const STAFF_ANSWERS: [&str; 16] = [
    "No problem, see you then!",
    "Thanks for letting us know, we've moved you to Thursday at 3pm.",
    "Sorry to hear that, we've cancelled it. Get well soon!",
    "We're open until 6pm on Saturdays.",
    "Yes of course, bring them along.",
    "We'll call you shortly to sort that out.",
    "It's $85 for a cut and colour with a senior stylist.",
    "Found it! It's behind the desk for you.",
    "The earliest we have is Tuesday at 9:30, shall I book it?",
    "Done, you're booked in for six weeks' time.",
    "That's fine, we'll see you a little later.",
    "Receipt sent to the email we have on file.",
    "Yes, the card machine is fixed now.",
    "Sorry about that, the side door is open from 8.",
    "We've updated your number, thanks.",
    "There's a lift at the back of the building.",
];

pub fn pick<'a>(rng: &mut fastrand::Rng, list: &[&'a str]) -> &'a str {
    list[rng.usize(..list.len())]
}
