//! Attribution tests: each runs `extract` on a short text and checks the
//! speaker (or title) of one quote, so they pin the rules of every file in
//! this folder together, as a reader of the output sees them.

use crate::quotes::{extract, ExtractOptions};

fn speakers(text: &str) -> Vec<(String, Option<String>)> {
    extract(text, &ExtractOptions::default())
        .into_iter()
        .map(|q| (q.text, q.speaker))
        .collect()
}

fn speaker_of(text: &str, quote_start: &str) -> Option<String> {
    extract(text, &ExtractOptions::default())
        .into_iter()
        .find(|q| q.text.starts_with(quote_start))
        .and_then(|q| q.speaker)
}

fn title_of(text: &str, quote_start: &str) -> Option<String> {
    extract(text, &ExtractOptions::default())
        .into_iter()
        .find(|q| q.text.starts_with(quote_start))
        .and_then(|q| q.speaker_title)
}

#[test]
fn cue_after_quote_with_subject_first() {
    let t = "“We will not move,” Maria Lopez said on Monday.";
    assert_eq!(speaker_of(t, "We will").as_deref(), Some("Maria Lopez"));
}

#[test]
fn cue_after_quote_inverted() {
    let t = "“We will not move,” said Maria Lopez.";
    assert_eq!(speaker_of(t, "We will").as_deref(), Some("Maria Lopez"));
}

#[test]
fn cue_before_quote_with_colon() {
    let t = "Maria Lopez told reporters: “We will not move.”";
    assert_eq!(speaker_of(t, "We will").as_deref(), Some("Maria Lopez"));
}

#[test]
fn cue_before_quote_without_colon() {
    let t = "Maria Lopez said \"We will not move an inch on this.\"";
    assert_eq!(speaker_of(t, "We will").as_deref(), Some("Maria Lopez"));
}

#[test]
fn cue_before_quote_with_that() {
    let t = "Maria Lopez said that \"nobody will move an inch\" before Friday.";
    assert_eq!(speaker_of(t, "nobody").as_deref(), Some("Maria Lopez"));
}

#[test]
fn name_and_colon_without_a_verb() {
    let t = "Union leader Ray Dunn: \"We walk out at dawn.\"";
    assert_eq!(speaker_of(t, "We walk").as_deref(), Some("Ray Dunn"));
}

#[test]
fn according_to_names_the_speaker() {
    let t = "“Prices will fall by spring,” according to Ana Ruiz, an economist at Delta Bank.";
    assert_eq!(speaker_of(t, "Prices").as_deref(), Some("Ana Ruiz"));
}

#[test]
fn cue_in_the_next_sentence() {
    let t = "Talks ended.\n“We have nothing more to say.” Union chief Ray Dunn said the strike would go on.";
    assert_eq!(speaker_of(t, "We have").as_deref(), Some("Ray Dunn"));
}

#[test]
fn role_phrase_before_name_is_the_title() {
    let t = "“The claims are false,” ministry spokesman Zhang Wei told a briefing.";
    assert_eq!(speaker_of(t, "The claims").as_deref(), Some("Zhang Wei"));
    assert_eq!(
        title_of(t, "The claims").as_deref(),
        Some("ministry spokesman")
    );
}

#[test]
fn appositive_after_inverted_cue() {
    let t = "“It will not last,” said Ethan Cole, a senior fellow at the Harlow Institute.";
    assert_eq!(speaker_of(t, "It will").as_deref(), Some("Ethan Cole"));
    assert_eq!(
        title_of(t, "It will").as_deref(),
        Some("senior fellow at the Harlow Institute")
    );
}

#[test]
fn appositive_title_without_an_article_is_kept_when_a_role_word_heads_it() {
    let t = "\"We will reopen the port on Monday,\" said Lena Ortiz, operations director at the Harbour Board.";
    assert_eq!(speaker_of(t, "We will").as_deref(), Some("Lena Ortiz"));
    assert_eq!(
        title_of(t, "We will").as_deref(),
        Some("operations director at the Harbour Board")
    );
}

#[test]
fn appositive_between_name_and_cue() {
    let t = "“It will not last,” Ethan Cole, a senior fellow at the Harlow Institute, said.";
    assert_eq!(speaker_of(t, "It will").as_deref(), Some("Ethan Cole"));
}

#[test]
fn role_then_appositive_name() {
    let t = "“It will not last,” the union's general secretary, Maria Lopez, said.";
    assert_eq!(speaker_of(t, "It will").as_deref(), Some("Maria Lopez"));
}

#[test]
fn title_words_after_inverted_cue_are_dropped_from_the_name() {
    let t = "“The cells are cold,” wrote jailed opposition leader Dana Morrow.";
    assert_eq!(speaker_of(t, "The cells").as_deref(), Some("Dana Morrow"));
}

#[test]
fn pronoun_resolves_to_most_recent_person() {
    let t = "Coach Lisa Park watched from the stands. “We were poor,” she said.";
    assert_eq!(speaker_of(t, "We were").as_deref(), Some("Lisa Park"));
}

#[test]
fn pronoun_skips_a_person_of_the_other_gender() {
    let t = "Mr Omar Haddad met Anna Berg on Monday.\n“It went well,” he said.";
    assert_eq!(speaker_of(t, "It went").as_deref(), Some("Omar Haddad"));
}

#[test]
fn quote_without_cue_continues_previous_speaker_in_paragraph() {
    let t = "“We lost,” Ana Ruiz said. “Next week we win.”";
    assert_eq!(speaker_of(t, "Next week").as_deref(), Some("Ana Ruiz"));
}

#[test]
fn quote_without_cue_continues_speaker_of_previous_paragraph() {
    let t = "“We lost,” Ana Ruiz said.\n“Next week we win.”";
    assert_eq!(speaker_of(t, "Next week").as_deref(), Some("Ana Ruiz"));
}

#[test]
fn quote_without_cue_after_an_unquoted_paragraph_is_unknown() {
    let t = "“We lost,” Ana Ruiz said.\nThe club was founded in 1901.\n“Next week we win.”";
    assert_eq!(speaker_of(t, "Next week"), None);
}

#[test]
fn cue_in_the_sentence_before_a_quote() {
    let t = "Ana Ruiz told reporters the deal was close. “We are nearly there.”";
    assert_eq!(speaker_of(t, "We are").as_deref(), Some("Ana Ruiz"));
}

#[test]
fn surname_is_canonicalised_to_full_name() {
    let t = "Prime Minister Liz Truss arrived.\n“We stand firm,” Ms Truss said.";
    assert_eq!(speaker_of(t, "We stand").as_deref(), Some("Liz Truss"));
    assert_eq!(title_of(t, "We stand").as_deref(), Some("Prime Minister"));
}

#[test]
fn surname_speaker_gets_the_full_name_and_title_seen_earlier() {
    let t =
        "Russian President Vladimir Putin spoke on Thursday.\n“We are not to blame,” Putin said.";
    assert_eq!(speaker_of(t, "We are").as_deref(), Some("Vladimir Putin"));
    assert_eq!(title_of(t, "We are").as_deref(), Some("Russian President"));
}

#[test]
fn role_noun_speakers_without_a_name() {
    let t = "“No comment,” a company spokeswoman said. “It is early,” said a senior European diplomat.\n“We are studying it,” the ministry said.";
    let got = speakers(t);
    assert_eq!(got[0].1.as_deref(), Some("a company spokeswoman"));
    assert_eq!(got[1].1.as_deref(), Some("a senior European diplomat"));
    assert_eq!(got[2].1.as_deref(), Some("the ministry"));
}

#[test]
fn document_as_subject_gives_no_speaker() {
    let t = "“All staff must leave,” the statement said.";
    assert_eq!(speaker_of(t, "All staff"), None);
}

#[test]
fn no_cue_and_no_previous_quote_is_unknown() {
    let t = "The hall was quiet.\n“This is the end of an era.”";
    assert_eq!(speaker_of(t, "This is"), None);
}

#[test]
fn interrupted_quote_parts_share_the_speaker() {
    let t = "Dana Cruz arrived late. \"We are ready,\" she said, \"to talk today.\"";
    let got = speakers(t);
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|(_, s)| s.as_deref() == Some("Dana Cruz")));
}

#[test]
fn multi_paragraph_quote_parts_share_the_speaker() {
    let t = "Ana Ruiz said: “We fought for years.\n“We will fight for years more,” she added.";
    let got = speakers(t);
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|(_, s)| s.as_deref() == Some("Ana Ruiz")));
}

#[test]
fn headline_quote_with_name_after_colon() {
    let t = "'Enough is enough': Dunn walks out\nRay Dunn said so.";
    assert_eq!(speaker_of(t, "Enough").as_deref(), Some("Ray Dunn"));
}

#[test]
fn epithet_resolves_to_the_person_named_before() {
    let t = "Manager Tomás Ferreira spoke on Monday. The Portuguese said his side was “cynical, stop-start” all game. “We tried to play.”";
    assert_eq!(speaker_of(t, "cynical").as_deref(), Some("Tomás Ferreira"));
    assert_eq!(speaker_of(t, "We tried").as_deref(), Some("Tomás Ferreira"));
}

#[test]
fn role_epithet_needs_a_matching_title() {
    let t = "Russian President Ivan Borodin spoke. “We will answer,” said the Russian leader.\nOne investor left. “Too late,” said the portfolio manager.";
    assert_eq!(speaker_of(t, "We will").as_deref(), Some("Ivan Borodin"));
    assert_eq!(
        speaker_of(t, "Too late").as_deref(),
        Some("the portfolio manager")
    );
}

#[test]
fn headline_quote_takes_the_speaker_of_the_body_quote_repeating_it() {
    let t =
        "'Left to drown': town turns on water board\n“We were left to drown,” said Colin Baptiste.";
    assert_eq!(speaker_of(t, "Left to").as_deref(), Some("Colin Baptiste"));
}

#[test]
fn unclosed_quote_with_attribution_inside_gets_that_speaker() {
    let t = "\"Our crews are out until every home is back, said operations director Kemal Arslan. He left.";
    assert_eq!(speaker_of(t, "Our crews").as_deref(), Some("Kemal Arslan"));
}

#[test]
fn possessive_lead_in_with_colon_names_the_owner() {
    let t = "Her campaign manager, Luis Ortega, was asked why. His answer was short: \"Doors.\"";
    assert_eq!(speaker_of(t, "Doors").as_deref(), Some("Luis Ortega"));
}

#[test]
fn noun_like_present_tense_cue_counts_after_a_name() {
    let t = "Gorsky concedes as Amara Ilunga claims \"a win for the whole city\"";
    assert_eq!(speaker_of(t, "a win").as_deref(), Some("Amara Ilunga"));
}

#[test]
fn they_refers_to_a_group_that_spoke() {
    let t = "Turnout was high, election officials said. \"Every ballot was counted,\" they said.";
    assert_eq!(
        speaker_of(t, "Every ballot").as_deref(),
        Some("election officials")
    );
}

#[test]
fn prepositional_phrase_after_role_head_is_kept() {
    let t = "At one point a voice from the gallery shouted \"Shame on all of you!\"";
    assert_eq!(
        speaker_of(t, "Shame").as_deref(),
        Some("a voice from the gallery")
    );
}

#[test]
fn conjoined_speech_verb_takes_the_clause_subject() {
    let t = "Council leader Derek Ashworth declined to comment but wrote that the council was \"committed to the plan we set out.\"";
    assert_eq!(
        speaker_of(t, "committed").as_deref(),
        Some("Derek Ashworth")
    );
}

#[test]
fn according_to_at_sentence_start_is_a_cue() {
    let t = "According to Alan Reeve, the government \"will not stand by while ports close.\"";
    assert_eq!(speaker_of(t, "will not").as_deref(), Some("Alan Reeve"));
    assert_eq!(title_of(t, "will not"), None);
}

#[test]
fn partial_quote_shares_the_attribution_of_an_earlier_quote_in_its_sentence() {
    let t = "The water board said it had \"acted on every report\" and that the rain was \"without precedent in our records.\"";
    assert_eq!(speaker_of(t, "without").as_deref(), Some("the water board"));
}

#[test]
fn speech_introduced_at_the_end_of_the_previous_paragraph() {
    let t = "Chief Raymond Achterberg was cheered before he spoke.\n\"When I joined, we had eleven stations.\n\"Look after them,\" he ended.";
    let got = speakers(t);
    assert_eq!(got.len(), 2);
    assert!(got
        .iter()
        .all(|(_, s)| s.as_deref() == Some("Raymond Achterberg")));
}

#[test]
fn object_of_a_preposition_is_not_the_speaker() {
    let t = "The developer behind the retail park has described critics as \"dinosaurs who fear any change at all.\"";
    assert_eq!(speaker_of(t, "dinosaurs").as_deref(), Some("the developer"));
}

#[test]
fn bare_singular_noun_is_not_a_speaker() {
    let t = "Next to the old retail park said \"nothing will ever change here at all.\"";
    assert_eq!(speaker_of(t, "nothing"), None);
}

#[test]
fn appositive_relative_clause_is_skipped() {
    let t = "Samira Haddad, who chairs the tenants' association, said the ruling was \"a vindication of our work.\"";
    assert_eq!(
        speaker_of(t, "a vindication").as_deref(),
        Some("Samira Haddad")
    );
}

#[test]
fn question_quote_followed_by_capitalised_speaker() {
    let t = "“Is that fair?” Ana Ruiz asked.";
    assert_eq!(speaker_of(t, "Is that").as_deref(), Some("Ana Ruiz"));
}

#[test]
fn surname_that_spells_a_place_expands_to_the_full_name() {
    let t = "Hall Min-jun, an engineer, spoke. \"The pumps failed,\" Hall, who left in 2019, said.";
    assert_eq!(speaker_of(t, "The pumps").as_deref(), Some("Hall Min-jun"));
    let t = "District chief Tariq English spoke. \"It is falling,\" Mr English said.";
    assert_eq!(speaker_of(t, "It is").as_deref(), Some("Tariq English"));
}

#[test]
fn possessive_mention_does_not_take_the_pronoun() {
    let t = "President Omar Warsame urged calm after Ahmed Dorn's arrest.\n\"We will hold firm,\" he said.";
    assert_eq!(speaker_of(t, "We will").as_deref(), Some("Omar Warsame"));
}

#[test]
fn next_sentence_subject_is_not_taken_by_a_quote_with_its_own_lead_in() {
    let t = "However, Malik Osei, a port director, e-mailed me that \"every berth is still open to ships.\" Renata Kurz tweeted that her ships were turned away.";
    assert_eq!(speaker_of(t, "every berth").as_deref(), Some("Malik Osei"));
}

#[test]
fn verb_in_a_relative_clause_after_a_partial_quote_is_no_cue() {
    let t = "The talks came after the Foreign Secretary warned Varnia.\nVarnian President Oleg Dravik reiterated that he wants an \"immediate answer\" from the alliance for guarantees that it demanded. \"This is not our choice,\" he said.";
    assert_eq!(speaker_of(t, "immediate").as_deref(), Some("Oleg Dravik"));
}

#[test]
fn country_speaks_as_the_leader_its_adjective_titles() {
    let t = "Valdoria earlier signalled that it \"will not send a single warship\" this year. Valdorian Trade Minister Ilse Brandt told lawmakers so.";
    assert_eq!(speaker_of(t, "will not").as_deref(), Some("Ilse Brandt"));
}

#[test]
fn bare_document_takes_the_description_that_introduced_it() {
    let t = "KESSEL - An internal memo obtained by the Kessel Ledger shows cuts.\n\"All offices should prepare new timetables now,\" said the memo.";
    assert_eq!(
        speaker_of(t, "All offices").as_deref(),
        Some("an internal memo obtained by the Kessel Ledger")
    );
}

#[test]
fn outlet_that_reports_a_quote_is_not_its_speaker() {
    let t = "\"The lifts have been broken since Easter,\" the Harbour Gazette reported.";
    assert_eq!(speaker_of(t, "The lifts"), None);
    let t = "\"The lifts have been broken since Easter,\" according to Radio Nine.";
    assert_eq!(speaker_of(t, "The lifts"), None);
}

#[test]
fn quoted_name_speaks_and_is_not_a_quote() {
    let t = "\"They found money for the stadium in a week,\" a commenter named \"skyfox99\" wrote.";
    let got = speakers(t);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1.as_deref(), Some("skyfox99"));
}

#[test]
fn part_of_a_group_is_kept_whole() {
    let t = "\"I have known him for years,\" said one of his oldest colleagues.";
    assert_eq!(
        speaker_of(t, "I have").as_deref(),
        Some("one of his oldest colleagues")
    );
}

#[test]
fn role_for_an_office_with_an_article_is_one_phrase() {
    let t = "A spokesman for the Transport Office said: \"No decision has been taken.\"";
    assert_eq!(
        speaker_of(t, "No decision").as_deref(),
        Some("a spokesman for the Transport Office")
    );
}
