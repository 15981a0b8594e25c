#include "simulate/names.hpp"

#include <cctype>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace joindots::simulate {

namespace {

// Given names: roughly by frequency across birth cohorts of the 1970s-2010s (ONS baby-name
// tables give the flavour; the order here is approximate and hand-made).
constexpr std::string_view kFemale[] = {
    "Olivia",    "Emily",     "Sophie",    "Jessica",   "Chloe",     "Amelia",    "Lauren",
    "Grace",     "Hannah",    "Ella",      "Megan",     "Charlotte", "Isla",      "Lucy",
    "Ava",       "Mia",       "Emma",      "Holly",     "Amy",       "Rebecca",   "Katie",
    "Bethany",   "Ellie",     "Lily",      "Sarah",     "Laura",     "Jade",      "Leah",
    "Poppy",     "Ruby",      "Evie",      "Abigail",   "Samantha",  "Georgia",   "Courtney",
    "Shannon",   "Danielle",  "Natalie",   "Victoria",  "Elizabeth", "Alexandra", "Isabella",
    "Sophia",    "Freya",     "Daisy",     "Millie",    "Phoebe",    "Scarlett",  "Rosie",
    "Molly",     "Alice",     "Zoe",       "Eleanor",   "Jasmine",   "Aisha",     "Fatima",
    "Maryam",    "Zainab",    "Amina",     "Paige",     "Keira",     "Caitlin",   "Chelsea",
    "Nicole",    "Rachel",    "Gemma",     "Kirsty",    "Stacey",    "Hayley",    "Leanne",
    "Kayleigh",  "Jodie",     "Kimberley", "Michelle",  "Claire",    "Katherine", "Catherine",
    "Stephanie", "Jennifer",  "Francesca", "Gabrielle", "Natasha",   "Layla",     "Leila",
    "Yasmin",    "Nadia",     "Sara",      "Hana",      "Amira",     "Khadija",   "Hafsa",
    "Inaya",     "Anaya",     "Priya",     "Simran",    "Harpreet",  "Aaliyah",   "Maya",
    "Eva",       "Julia",     "Zuzanna",   "Oliwia",    "Natalia",   "Wiktoria",  "Maja",
    "Alicja",    "Lena",      "Ioana",     "Andreea",   "Esme",      "Aria",      "Luna",
    "Tia",       "Kayla",     "Demi",      "Tegan",     "Ffion",     "Seren",     "Cerys",
    "Niamh",     "Aoife",     "Siobhan",   "Orla",      "Erin",      "Precious",  "Blessing",
    "Favour",    "Chioma",    "Adaeze",    "Amara",     "Abena",     "Shanice",   "Tanisha",
    "Destiny",   "Imani",     "Nia",       "Summer",    "Skye",      "Darcey",    "Lexi",
    "Lacey",     "Maisie",    "Matilda",   "Harriet",   "Florence",  "Evelyn",    "Sienna",
    "Willow",    "Ivy",       "Margaret",  "Patricia",  "Deborah",   "Susan",     "Josephine",
    "Christina", "Teresa",    "Melissa",   "Amanda",    "Joanne",    "Tracey",    "Chantelle",
    "Abbie",     "Kelsey",    "Toni",      "Roxanne",   "Mercedes",  "Valentina", "Giulia",
    "Mei",       "Linh",      "Elif",      "Zeynep",    "Beatriz",   "Ines",
};

constexpr std::string_view kMale[] = {
    "Jack",      "Thomas",    "James",     "Joshua",    "Daniel",    "Oliver",    "Harry",
    "Samuel",    "William",   "Joseph",    "Matthew",   "Callum",    "Lewis",     "Ryan",
    "Luke",      "Benjamin",  "Jordan",    "Adam",      "Liam",      "Connor",    "Jake",
    "Alexander", "Michael",   "Charlie",   "George",    "Ethan",     "Jacob",     "Noah",
    "Mohammed",  "Muhammad",  "Kieran",    "Bradley",   "Tyler",     "Kyle",      "Dylan",
    "Nathan",    "Aaron",     "Reece",     "Christopher", "David",   "Andrew",    "Anthony",
    "Robert",    "Richard",   "Mark",      "Paul",      "Stephen",   "Peter",     "John",
    "Lee",       "Craig",     "Dean",      "Wayne",     "Gary",      "Darren",    "Carl",
    "Scott",     "Shaun",     "Jason",     "Martin",    "Kevin",     "Ian",       "Neil",
    "Simon",     "Jamie",     "Owen",      "Rhys",      "Dafydd",    "Gareth",    "Iwan",
    "Sean",      "Patrick",   "Ciaran",    "Declan",    "Ahmed",     "Ali",       "Hassan",
    "Hussain",   "Ibrahim",   "Yusuf",     "Omar",      "Bilal",     "Hamza",     "Zain",
    "Ayaan",     "Arjun",     "Rohan",     "Aarav",     "Vikram",    "Sanjay",    "Amir",
    "Tariq",     "Imran",     "Kamran",    "Jakub",     "Kacper",    "Szymon",    "Filip",
    "Mateusz",   "Tomasz",    "Piotr",     "Marek",     "Andrei",    "Ionut",     "Luca",
    "Marco",     "Kwame",     "Kofi",      "Chidi",     "Emeka",     "Tobi",      "Femi",
    "Tunde",     "Segun",     "Tyrone",    "Jermaine",  "Marcus",    "Andre",     "Elijah",
    "Isaiah",    "Joel",      "Caleb",     "Reuben",    "Toby",      "Sebastian", "Edward",
    "Frederick", "Nicholas",  "Jonathan",  "Zachary",   "Harrison",  "Jayden",    "Kai",
    "Ashton",    "Brandon",   "Cameron",   "Ross",      "Stuart",    "Graham",    "Keith",
    "Barry",     "Terry",     "Colin",     "Philip",    "Hugo",      "Rory",      "Elliot",
    "Louis",     "Theodore",  "Henry",     "Arthur",    "Leo",       "Oscar",     "Archie",
    "Freddie",   "Alfie",     "Finley",    "Isaac",     "Lucas",     "Max",       "Logan",
    "Mason",     "Riley",     "Stanley",   "Reggie",    "Ronnie",    "Tommy",     "Roman",
    "Emre",      "Mehmet",    "Minh",      "Wei",       "Diogo",     "Tiago",
};

// Family names: roughly by frequency in England and Wales (common British surnames first,
// then names common in many communities of the UK interleaved by approximate frequency).
constexpr std::string_view kFamily[] = {
    "Smith",     "Jones",     "Williams",  "Taylor",    "Brown",     "Davies",    "Evans",
    "Wilson",    "Thomas",    "Johnson",   "Roberts",   "Robinson",  "Thompson",  "Wright",
    "Walker",    "White",     "Edwards",   "Hughes",    "Green",     "Hall",      "Lewis",
    "Harris",    "Clarke",    "Patel",     "Jackson",   "Wood",      "Turner",    "Martin",
    "Cooper",    "Hill",      "Ward",      "Morris",    "Moore",     "Clark",     "Lee",
    "King",      "Baker",     "Harrison",  "Morgan",    "Allen",     "James",     "Scott",
    "Phillips",  "Watson",    "Davis",     "Parker",    "Price",     "Bennett",   "Young",
    "Griffiths", "Mitchell",  "Kelly",     "Cook",      "Carter",    "Richardson", "Bailey",
    "Collins",   "Bell",      "Shaw",      "Murphy",    "Miller",    "Cox",       "Richards",
    "Khan",      "Marshall",  "Anderson",  "Simpson",   "Ellis",     "Adams",     "Singh",
    "Begum",     "Wilkinson", "Foster",    "Chapman",   "Powell",    "Webb",      "Rogers",
    "Gray",      "Mason",     "Ali",       "Hunt",      "Hussain",   "Campbell",  "Matthews",
    "Owen",      "Palmer",    "Holmes",    "Mills",     "Barnes",    "Knight",    "Lloyd",
    "Butler",    "Russell",   "Barker",    "Fisher",    "Stevens",   "Jenkins",   "Murray",
    "Dixon",     "Harvey",    "Graham",    "Pearson",   "Ahmed",     "Fletcher",  "Walsh",
    "Kaur",      "Gibson",    "Howard",    "Andrews",   "Stewart",   "Elliott",   "Reynolds",
    "Saunders",  "Payne",     "Fox",       "Ford",      "Pearce",    "Day",       "Brooks",
    "West",      "Lawrence",  "Cole",      "Atkinson",  "Bradley",   "Spencer",   "Gill",
    "Dawson",    "Ball",      "Burton",    "O'Brien",   "Watts",     "Rose",      "Booth",
    "Perry",     "Ryan",      "Grant",     "Wells",     "Armstrong", "Francis",   "Rees",
    "Hayes",     "Hart",      "Hudson",    "Newman",    "Barrett",   "Webster",   "Hunter",
    "Gregory",   "Carr",      "Lowe",      "Page",      "Marsh",     "Riley",     "Dunn",
    "Woods",     "Parsons",   "Berry",     "Stone",     "Reid",      "Holland",   "Hawkins",
    "Harding",   "Porter",    "Robertson", "Newton",    "Oliver",    "Reed",      "Kennedy",
    "Williamson", "Bird",     "Gardner",   "Shah",      "Dean",      "Lane",      "Cooke",
    "Bates",     "Henderson", "Parry",     "Burgess",   "Bishop",    "Walton",    "Burns",
    "Nicholson", "Shepherd",  "Ross",      "Cross",     "Long",      "Freeman",   "Warren",
    "Nicholls",  "Hamilton",  "Byrne",     "Sutton",    "McDonald",  "Yates",     "Hodgson",
    "Robson",    "Curtis",    "Hopkins",   "O'Connor",  "Harper",    "Coleman",   "Watkins",
    "Moss",      "McCarthy",  "Chambers",  "O'Neill",   "Griffin",   "Sharp",     "Hardy",
    "Wheeler",   "Potter",    "Osborne",   "Johnston",  "Gordon",    "Doyle",     "Wallace",
    "George",    "Jordan",    "Hutchinson", "Rahman",   "Mahmood",   "Iqbal",     "Akhtar",
    "Rashid",    "Hassan",    "Malik",     "Chowdhury", "Miah",      "Uddin",     "Islam",
    "Sharma",    "Kumar",     "Mistry",    "Parmar",    "Chauhan",   "Nowak",     "Kowalski",
    "Wojcik",    "Kaminski",  "Lewandowski", "Zielinski", "Popescu", "Ionescu",   "Okafor",
    "Okoro",     "Adeyemi",   "Mensah",    "Osei",      "Boateng",   "Nguyen",    "Chen",
    "Wong",      "Li",        "Zhang",     "Yilmaz",    "Demir",     "Kaya",      "Silva",
    "Santos",    "Pereira",   "Rossi",     "Russo",     "Gallagher", "Quinn",     "Brennan",
    "MacDonald", "Morrison",  "Fraser",    "Sinclair",  "Llewellyn", "Pritchard", "Vaughan",
    "Howells",   "Whitehead", "Kirby",     "Sheppard",  "Mann",      "Goodwin",   "Brady",
    "Lamb",      "Pope",      "Norris",    "Dale",      "Frost",     "Slater",    "Lucas",
};

// Street names and monikers: generic or invented, tied to no community.
constexpr std::string_view kStreet[] = {
    "Taz",   "Smokey", "Bossman", "Kev",    "Ghost",  "Blade",  "Ace",    "Rocky",  "Flash",
    "Dee",   "Jay",    "Kay",    "Tiny",   "Bigs",   "Skinny", "Red",    "Shadow", "Chief",
    "Sly",   "Ziggy",  "Milo",   "Benny",  "Bugsy",  "Dino",   "Fox",    "Snake",  "Gizmo",
    "Rico",  "Prince", "Duke",   "Sonic",  "Tank",   "Ricky",  "Spider", "Max",    "Dodge",
    "Chops", "Bones",  "Lucky",  "Razor",  "Scar",   "Trigger", "Boss",  "Moose",  "Sparky",
    "Mack",  "Buzz",   "Nitro",  "Jinx",   "Storm",
};

// ---- The long tail --------------------------------------------------------------------
// Real registers have tens of thousands of surnames, most of them rare; a few hundred
// hand-written names made thousands of distinct children share a name at national scale.
// Below the hand-written head, synthetic names are made by compounding fixed morphemes
// (no randomness but a fixed-seed shuffle of their ranks), so every build and seed sees the
// same tables. The morphemes are generic English place-name and word elements; the
// compounds carry no attribute of origin, ethnicity or religion.

constexpr std::string_view kSurnameFirst[] = {
    "Ash",   "Al",    "Ald",   "Alder", "Ap",    "Ar",    "Bar",   "Bas",   "Bel",   "Ben",   "Bent",  "Berk",
    "Birk",  "Black", "Bland", "Bolt",  "Bow",   "Brad",  "Bram",  "Bran",  "Bray",  "Brent", "Brid",  "Brin",
    "Broad", "Brom",  "Brook", "Bur",   "Cal",   "Cam",   "Can",   "Car",   "Cart",  "Chal",  "Char",  "Ches",
    "Chil",  "Clay",  "Clif",  "Cold",  "Cor",   "Cot",   "Crab",  "Cran",  "Crom",  "Cul",   "Dal",   "Dar",
    "Den",   "Der",   "Dun",   "Dur",   "East",  "Ed",    "El",    "Elm",   "Em",    "Es",    "Ever",  "Fair",
    "Fal",   "Far",   "Farn",  "Fel",   "Fen",   "Fern",  "Fin",   "Flet",  "Ful",   "Gar",   "Gil",   "Glen",
    "Gold",  "Good",  "Gran",  "Grays", "Green", "Grim",  "Hal",   "Ham",   "Har",   "Hart",  "Has",   "Haw",
    "Hay",   "Hed",   "Hel",   "Hen",   "Her",   "Hes",   "High",  "Hol",   "Horn",  "Hud",   "Hum",   "Hun",
    "Ing",   "Ivy",   "Ken",   "Kel",   "Kes",   "Kil",   "Kim",   "Kings", "Kirk",  "Lam",   "Lang",  "Lan",
    "Lay",   "Lee",   "Lin",   "Lit",   "Lock",  "Long",  "Lud",   "Lyn",   "Mal",   "Man",   "Mar",   "Mel",
    "Mer",   "Mid",   "Mil",   "Mor",   "Moss",  "Nes",   "New",   "Nor",   "Not",   "Oak",   "Old",   "Or",
    "Os",    "Ot",    "Over",  "Pad",   "Pem",   "Pen",   "Pil",   "Pres",  "Rad",   "Ram",   "Rav",   "Red",
    "Ren",   "Rid",   "Rock",  "Ros",   "Rud",   "Rush",  "Sal",   "Sand",  "Sax",   "Sel",   "Shel",  "Sher",
    "Shir",  "Sil",   "Sker",  "Sol",   "Spar",  "Stan",  "Staf",  "Stock", "Stow",  "Sum",   "Sun",   "Sut",
    "Swin",  "Tam",   "Tar",   "Tem",   "Thorn", "Thur",  "Til",   "Tor",   "Tun",   "Up",    "Ux",    "Ver",
    "Wad",   "Wal",   "War",   "Wat",   "Wed",   "Wel",   "Wen",   "West",  "Wet",   "Whit",  "Wick",  "Wil",
    "Win",   "Wither", "Wol",  "Wood",  "Wor",   "Wy",    "Yar",   "Yat",
};

constexpr std::string_view kSurnameSecond[] = {
    "by",    "bury",   "borough", "bridge", "brook",  "burn",   "cliffe", "combe",  "cote",   "croft",
    "dale",  "den",    "don",     "field",  "ford",   "gate",   "gill",   "grove",  "ham",    "hill",
    "holme", "hurst",  "ington",  "land",   "lake",   "ley",    "low",    "marsh",  "mere",   "more",
    "ney",   "ridge",  "row",     "sall",   "sey",    "shaw",   "stead",  "stone",  "thorpe", "ton",
    "wall",  "ward",   "well",    "wick",   "win",    "wood",   "worth",  "yard",   "er",     "ett",
    "ings",  "kin",    "man",     "son",    "ell",    "lock",   "stock",  "ing",    "cott",   "wright",
    "hall",  "acre",   "hay",     "mead",   "ling",   "nell",   "over",   "pool",   "rick",   "seth",
    "bourne", "church", "dell",   "ditch",  "fold",   "garth",  "heath",  "house",  "lands",  "leigh",
    "lin",   "lowe",   "mont",    "moor",   "nash",   "park",   "stow",   "ter",    "ville",  "wold",
};

// Given-name tails: a start and an ending per sex.
constexpr std::string_view kGivenStart[] = {
    "Ab",  "Ad",   "Al",  "Am",  "An",  "Ar",  "Ash", "Au",  "Bel", "Ben", "Bri", "Cal", "Cam", "Car", "Cel", "Cor",
    "Da",  "Del",  "Dor", "El",  "Em",  "Er",  "Ev",  "Fa",  "Fel", "Fl",  "Ga",  "Gil", "Gr",  "Ha",  "Hel", "Is",
    "Ja",  "Jo",   "Ka",  "Kel", "Ken", "La",  "Le",  "Li",  "Lo",  "Lu",  "Ma",  "Mar", "Mel", "Mi",  "Mo",  "Na",
    "Nel", "No",   "Or",  "Pa",  "Pe",  "Ra",  "Re",  "Ri",  "Ro",  "Ros", "Sa",  "Sel", "Si",  "Sol", "Ta",  "Tel",
    "Ti",  "Tor",  "Va",  "Vel", "Vi",  "Wen", "Wil", "Ya",  "Za",  "Zel", "Bro", "Cla", "Dre", "Fre", "Gra", "Tre",
};
constexpr std::string_view kFemaleEnd[] = {
    "a",    "ia",   "ina",  "elle", "ette", "ie",  "anne", "ene",  "ys",   "wen",  "ara", "ine",
    "ly",   "ley",  "na",   "lia",  "rine", "issa", "etta", "ora",  "ona",  "essa", "ah",  "ise",
    "etha", "ida",  "ita",  "yn",   "ella", "ea",   "ya",   "ria",  "iana", "ice",  "anda", "ilda",
};
constexpr std::string_view kMaleEnd[] = {
    "an",  "on",   "en",   "ias", "o",   "ard",  "ert",  "win",  "ric",  "us",  "iel", "el",
    "ton", "ford", "ley",  "ian", "is",  "ander", "mond", "ald",  "olf",  "ath", "or",  "ey",
    "ick", "rin",  "den",  "ram", "ven", "aster", "ius",  "ell",  "ock",  "ald", "ir",  "ik",
};

// Frequencies: per-million shares at published ranks, interpolated on a log-log scale and
// continued with the last slope; `names.hpp` documents the sources and the judgements.
struct Anchor {
  double rank, per_million;
};
constexpr Anchor kSurnameAnchors[] = {
    {1, 12000}, {2, 9000},    {3, 6200},    {5, 5400},    {10, 3300},  {20, 2500},  {49, 2082},
    {93, 1294}, {128, 942},   {390, 420},   {563, 288},   {746, 217},  {1318, 146}, {1942, 86},
    {2534, 63}, {3176, 45},   {4435, 31},   {5799, 22},   {11886, 9},  {16554, 5},
};
constexpr double kSurnameTailSlope = 1.45;
constexpr Anchor kGivenAnchors[] = {
    {1, 20000}, {10, 10000}, {50, 4500}, {100, 2500}, {300, 600}, {1000, 90}, {3000, 15},
};
constexpr double kGivenTailSlope = 1.6;

template <std::size_t N>
std::vector<double> anchored_weights(std::size_t n, const Anchor (&anchors)[N], double tail_slope) {
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double r = static_cast<double>(i + 1);
    double v = anchors[N - 1].per_million * std::pow(r / anchors[N - 1].rank, -tail_slope);
    for (std::size_t a = 0; a + 1 < N; ++a)
      if (r <= anchors[a + 1].rank) {
        const double t =
            (std::log(r) - std::log(anchors[a].rank)) / (std::log(anchors[a + 1].rank) - std::log(anchors[a].rank));
        v = std::exp(std::log(anchors[a].per_million) +
                     t * (std::log(anchors[a + 1].per_million) - std::log(anchors[a].per_million)));
        break;
      }
    w[i] = v;
  }
  return w;
}

bool plausible(const std::string& s) {
  auto vowel = [](char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; };
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] == s[i - 1] && (vowel(s[i]) && s[i] != 'e' && s[i] != 'o')) return false;  // "ii", "aa", not "ee"
    if (i >= 2 && s[i] == s[i - 1] && s[i] == s[i - 2]) return false;                    // no letter three times
    if (i >= 2 && vowel(s[i]) && vowel(s[i - 1]) && vowel(s[i - 2])) return false;        // "Auie"
  }
  // Words that would carry a religious or other meaning the tables must not.
  for (std::string_view w : {"torah", "christ", "jesus", "allah", "bible", "satan", "devil", "nazi", "slave", "rape"})
    if (s.find(w) != std::string::npos) return false;
  return s.size() >= 4;
}

/// Head names (in order) then the compounds of `firsts` x `seconds` not already present,
/// in an order shuffled by a fixed seed (so that rank does not follow the alphabet).
template <std::size_t H, std::size_t F, std::size_t S>
std::vector<std::string> build_table(const std::string_view (&head)[H], const std::string_view (&firsts)[F],
                                     const std::string_view (&seconds)[S], std::string_view stream,
                                     const std::set<std::string>& avoid) {
  std::vector<std::string> out(std::begin(head), std::end(head));
  std::set<std::string> seen(out.begin(), out.end());
  std::vector<std::string> tail;
  for (auto f : firsts)
    for (auto s : seconds) {
      std::string name(f);
      // Join without doubling a letter across the seam three times ("Hill" + "ley").
      if (!name.empty() && !s.empty() && name.back() == s.front() && name.size() > 1 &&
          name[name.size() - 2] == s.front())
        name.pop_back();
      name += s;
      std::string lower = name;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!plausible(lower) || avoid.count(lower) || !seen.insert(name).second) continue;
      tail.push_back(std::move(name));
    }
  Rng rng(20240601, stream);
  for (std::size_t i = tail.size(); i > 1; --i) std::swap(tail[i - 1], tail[rng.below(i)]);
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

struct Tables {
  std::vector<std::string> female, male, family;
  std::vector<std::string_view> female_v, male_v, family_v;
  Tables() {
    // Tail compounds avoid every head name of any table (lower case), so that a synthetic
    // given name is never a head surname and vice versa.
    std::set<std::string> heads;
    auto add = [&](std::span<const std::string_view> v) {
      for (auto s : v) {
        std::string l(s);
        for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        heads.insert(l);
      }
    };
    add(kFemale), add(kMale), add(kFamily), add(kStreet);
    family = build_table(kFamily, kSurnameFirst, kSurnameSecond, "names-family-tail", heads);
    female = build_table(kFemale, kGivenStart, kFemaleEnd, "names-female-tail", heads);
    std::set<std::string> avoid_male = heads;
    for (std::size_t i = std::size(kFemale); i < female.size(); ++i) {  // keep the sexes' tails apart
      std::string l = female[i];
      for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      avoid_male.insert(l);
    }
    male = build_table(kMale, kGivenStart, kMaleEnd, "names-male-tail", avoid_male);
    for (const auto& s : female) female_v.emplace_back(s);
    for (const auto& s : male) male_v.emplace_back(s);
    for (const auto& s : family) family_v.emplace_back(s);
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

std::vector<double> zipf_weights(std::size_t n, double exponent) {
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) w[i] = std::pow(static_cast<double>(i + 1), -exponent);
  return w;
}

}  // namespace

std::span<const std::string_view> female_given_names() { return tables().female_v; }
std::span<const std::string_view> male_given_names() { return tables().male_v; }
std::span<const std::string_view> family_names() { return tables().family_v; }
std::span<const std::string_view> street_names() { return kStreet; }
std::size_t head_size(NameTable t) {
  switch (t) {
    case NameTable::female: return std::size(kFemale);
    case NameTable::male: return std::size(kMale);
    case NameTable::family: return std::size(kFamily);
  }
  return 0;
}
std::vector<double> name_weights(NameTable t) {
  switch (t) {
    case NameTable::female: return anchored_weights(female_given_names().size(), kGivenAnchors, kGivenTailSlope);
    case NameTable::male: return anchored_weights(male_given_names().size(), kGivenAnchors, kGivenTailSlope);
    case NameTable::family: return anchored_weights(family_names().size(), kSurnameAnchors, kSurnameTailSlope);
  }
  return {};
}

NameSampler::NameSampler()
    : female_(name_weights(NameTable::female)),
      male_(name_weights(NameTable::male)),
      family_(name_weights(NameTable::family)),
      street_(zipf_weights(std::size(kStreet), 0.3)) {}

std::string_view NameSampler::given(Rng& rng, bool female) const {
  return female ? female_given_names()[female_.draw(rng)] : male_given_names()[male_.draw(rng)];
}
std::string_view NameSampler::family(Rng& rng) const { return family_names()[family_.draw(rng)]; }
std::string_view NameSampler::street(Rng& rng) const { return kStreet[street_.draw(rng)]; }

}  // namespace joindots::simulate
