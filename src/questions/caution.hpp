#pragma once
// Cautions said at the headline (the report's victims card and the CLI), one plain sentence
// each, naming which figure to trust less and why:
//  - methods disagree: another method's 95% interval does not overlap the headline's;
//  - LCMCR has more than one mode: its chains disagree (estimate/lcmcr.hpp);
//  - linkage matters: the linkage draws move the estimate by 3% or more, or make up a
//    quarter or more of the interval's width;
//  - blocking left many likely matches apart (2.5% or more of the link's high-agreement
//    sample pairs never compared and in two persons): harder matches are missed unseen;
//  - the threshold matters: the victims' estimates across the threshold curve spread by
//    more than 10% of the headline;
//  - the victims' link warned (link/diagnose.hpp's codes: low blocking recall, clusters too
//    large, ...): the persons the figure counts may be too many or too few;
//  - only two lists: the interval leaves out the two assumptions two lists cannot test, with
//    the figures measured on simulated countries (estimate/chapman.hpp);
//  - always, with an estimate, last: the assumption the lists cannot test (a behavioural
//    response between lists), with the study's figures.
#include <string>
#include <vector>

#include "questions/four_questions.hpp"

namespace joindots::questions {

/// `link_warnings`: the codes of the warnings the victims' link run gave (link::LinkWarning).
std::vector<std::string> headline_cautions(const FourAnswers& answers,
                                           const std::vector<std::string>& link_warnings = {});

/// 12345.6 -> "12,346".
std::string thousands(double value);

}  // namespace joindots::questions
