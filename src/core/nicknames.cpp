#include "core/nicknames.hpp"

#include <algorithm>
#include <cctype>

namespace joindots {

namespace {

// Common English diminutives (hand-written; cf. the name-variant lists used by record-linkage
// tools such as FEBRL). Alphabetical by formal name.
constexpr NicknameEntry kTable[] = {
    {"Abigail", "Abbie|Abby|Gail"},
    {"Alexander", "Alex|Al|Xander|Sandy"},
    {"Alexandra", "Alex|Lexi|Sandra|Ali"},
    {"Alfred", "Alfie|Alf|Fred"},
    {"Alice", "Ali|Allie"},
    {"Amanda", "Mandy|Manda"},
    {"Amelia", "Millie|Mia|Amy"},
    {"Andrew", "Andy|Drew"},
    {"Anthony", "Tony|Ant"},
    {"Archibald", "Archie|Archer"},
    {"Arthur", "Art|Artie"},
    {"Barbara", "Barbie|Babs"},
    {"Benjamin", "Ben|Benny|Benji"},
    {"Bethany", "Beth|Bethan"},
    {"Bradley", "Brad"},
    {"Callum", "Cal"},
    {"Cameron", "Cam"},
    {"Caroline", "Carrie|Caz"},
    {"Catherine", "Cathy|Cat|Kate|Cath"},
    {"Charles", "Charlie|Chas|Chuck"},
    {"Charlotte", "Lottie|Charlie|Lotte"},
    {"Chelsea", "Chels"},
    {"Christina", "Chrissy|Tina|Christie"},
    {"Christopher", "Chris|Kit|Topher"},
    {"Courtney", "Court"},
    {"Daniel", "Dan|Danny"},
    {"Danielle", "Dani|Ellie"},
    {"David", "Dave|Davey"},
    {"Deborah", "Debbie|Deb|Debs"},
    {"Dominic", "Dom"},
    {"Edward", "Ed|Eddie|Ted|Ned"},
    {"Eleanor", "Ellie|Nell|Nora|Elle"},
    {"Elizabeth", "Liz|Beth|Lizzie|Libby|Eliza|Betty"},
    {"Ellie", "Elle|El"},
    {"Emily", "Em|Emmy|Millie"},
    {"Emma", "Em|Emmy"},
    {"Frances", "Fran|Frankie"},
    {"Francesca", "Fran|Frankie|Chesca"},
    {"Frederick", "Fred|Freddie|Freddy"},
    {"Gabrielle", "Gabby|Elle"},
    {"Georgia", "George|Georgie"},
    {"Gregory", "Greg"},
    {"Hannah", "Han|Annie"},
    {"Harriet", "Hattie|Harri"},
    {"Harrison", "Harry|Haz"},
    {"Henry", "Harry|Hal|Hank"},
    {"Isabella", "Bella|Izzy|Isa|Issy"},
    {"Isabelle", "Belle|Izzy|Issy"},
    {"Jacob", "Jake|Jakey"},
    {"Jacqueline", "Jackie|Jacqui"},
    {"James", "Jim|Jimmy|Jamie|Jay"},
    {"Jasmine", "Jas|Jazz|Jaz"},
    {"Jennifer", "Jen|Jenny|Jenna"},
    {"Jessica", "Jess|Jessie|Jessy"},
    {"John", "Johnny|Jack|Jon"},
    {"Jonathan", "Jon|Jonny|Nathan"},
    {"Jordan", "Jordy"},
    {"Joseph", "Joe|Joey|Jo"},
    {"Josephine", "Jo|Josie|Jojo"},
    {"Joshua", "Josh"},
    {"Katherine", "Kate|Katie|Kathy|Kat|Kay"},
    {"Kayleigh", "Kay|Kayla"},
    {"Kimberley", "Kim|Kimmy"},
    {"Laura", "Laurie|Lolly"},
    {"Lauren", "Laurie|Loz|Ren"},
    {"Leonard", "Leo|Len|Lenny"},
    {"Lewis", "Lew|Lou"},
    {"Louis", "Lou|Louie"},
    {"Lucy", "Luce|Lu"},
    {"Madison", "Maddie|Maddy"},
    {"Margaret", "Maggie|Peggy|Meg|Mags"},
    {"Matilda", "Tilly|Tilda|Mattie"},
    {"Matthew", "Matt|Matty"},
    {"Megan", "Meg|Meggie"},
    {"Melissa", "Mel|Lissa|Missy"},
    {"Michael", "Mike|Mikey|Mick|Mickey"},
    {"Michelle", "Shell|Shelley|Chelle"},
    {"Mohammed", "Mo|Moe"},
    {"Muhammad", "Mo|Moe"},
    {"Natalie", "Nat|Tally"},
    {"Natasha", "Tash|Tasha|Nat"},
    {"Nathan", "Nate|Nat"},
    {"Nicholas", "Nick|Nicky|Nico"},
    {"Nicole", "Nicky|Nic|Nikki"},
    {"Oliver", "Ollie|Olly"},
    {"Olivia", "Liv|Livvy|Livia|Ollie"},
    {"Patricia", "Pat|Patty|Trish|Tricia"},
    {"Patrick", "Pat|Paddy"},
    {"Peter", "Pete"},
    {"Philip", "Phil|Pip"},
    {"Phoebe", "Phoebs"},
    {"Rachel", "Rach"},
    {"Rebecca", "Becky|Becca|Bex|Becks"},
    {"Richard", "Rich|Richie|Rick|Dick"},
    {"Robert", "Rob|Bob|Robbie|Bobby"},
    {"Ronald", "Ron|Ronnie"},
    {"Rosemary", "Rose|Rosie"},
    {"Samantha", "Sam|Sammy|Sammie"},
    {"Samuel", "Sam|Sammy"},
    {"Sarah", "Sal|Sally|Sadie"},
    {"Scarlett", "Scar|Lettie"},
    {"Sebastian", "Seb|Bastian"},
    {"Shannon", "Shan"},
    {"Sophia", "Sophie|Soph"},
    {"Sophie", "Soph"},
    {"Stanley", "Stan"},
    {"Stephanie", "Steph|Stevie"},
    {"Stephen", "Steve|Stevie"},
    {"Stuart", "Stu"},
    {"Susan", "Sue|Susie|Suzy"},
    {"Theodore", "Theo|Ted|Teddy"},
    {"Thomas", "Tom|Tommy"},
    {"Timothy", "Tim|Timmy"},
    {"Victoria", "Vicky|Tori|Vic"},
    {"William", "Will|Bill|Billy|Liam|Willie"},
    {"Zachary", "Zach|Zac|Zack"},
    {"Zoe", "Zo"},
};

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

template <typename F>
void for_each_nickname(std::string_view list, F&& f) {
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto bar = list.find('|', start);
    const auto end = bar == std::string_view::npos ? list.size() : bar;
    if (end > start) f(list.substr(start, end - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
}

}  // namespace

std::span<const NicknameEntry> nickname_table() { return kTable; }

std::vector<std::string_view> nicknames_of(std::string_view given_name) {
  std::vector<std::string_view> out;
  for (const auto& e : kTable)
    if (iequal(e.formal, given_name)) for_each_nickname(e.nicknames, [&](std::string_view n) { out.push_back(n); });
  return out;
}

std::vector<std::string_view> formal_names_of(std::string_view nickname) {
  std::vector<std::string_view> out;
  for (const auto& e : kTable) {
    bool hit = false;
    for_each_nickname(e.nicknames, [&](std::string_view n) { hit = hit || iequal(n, nickname); });
    if (hit) out.push_back(e.formal);
  }
  return out;
}

bool nickname_equivalent(std::string_view a, std::string_view b) {
  if (iequal(a, b)) return true;
  auto formal_set = [](std::string_view n) {
    auto f = formal_names_of(n);
    for (const auto& e : kTable)
      if (iequal(e.formal, n)) f.push_back(e.formal);
    return f;
  };
  const auto fa = formal_set(a), fb = formal_set(b);
  for (auto x : fa)
    for (auto y : fb)
      if (iequal(x, y)) return true;
  return false;
}

}  // namespace joindots
