#include "simulate/names.hpp"

#include <cmath>
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

std::vector<double> zipf_weights(std::size_t n, double exponent) {
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) w[i] = std::pow(static_cast<double>(i + 1), -exponent);
  return w;
}

}  // namespace

std::span<const std::string_view> female_given_names() { return kFemale; }
std::span<const std::string_view> male_given_names() { return kMale; }
std::span<const std::string_view> family_names() { return kFamily; }
std::span<const std::string_view> street_names() { return kStreet; }

NameSampler::NameSampler()
    : female_(zipf_weights(std::size(kFemale), 0.8)),
      male_(zipf_weights(std::size(kMale), 0.8)),
      family_(zipf_weights(std::size(kFamily), 0.7)),
      street_(zipf_weights(std::size(kStreet), 0.3)) {}

std::string_view NameSampler::given(Rng& rng, bool female) const {
  return female ? kFemale[female_.draw(rng)] : kMale[male_.draw(rng)];
}
std::string_view NameSampler::family(Rng& rng) const { return kFamily[family_.draw(rng)]; }
std::string_view NameSampler::street(Rng& rng) const { return kStreet[street_.draw(rng)]; }

}  // namespace joindots::simulate
