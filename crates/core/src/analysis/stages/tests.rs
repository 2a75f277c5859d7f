use super::*;
use crate::analysis::lifecycle::{LifecycleState, LifecycleThresholds};
use crate::dict::DictCol;
use crate::event::Event;
use crate::journey::{EventAccess, RowRef, TextCol};

/// Properties per row, for conditions on properties.
struct Props(Vec<String>);

impl EventAccess for Props {
    fn event(&self, _: RowRef) -> Event {
        Event::default()
    }
    fn text(&self, col: TextCol, r: RowRef) -> &str {
        match col {
            TextCol::Properties => self.0.get(r.row as usize).map_or("{}", String::as_str),
            _ => "",
        }
    }
}

/// The columns of one journey of `(time, "name [revenue]" or "name {json}")` events.
struct Owned {
    ts: Vec<i64>,
    names: Vec<u16>,
    revenue: Vec<f64>,
    rows: Vec<RowRef>,
    access: Props,
}

impl Owned {
    fn new(events: &[(i64, &str)], dicts: &mut Dictionaries) -> Self {
        let mut o = Owned { ts: vec![], names: vec![], revenue: vec![], rows: vec![], access: Props(vec![]) };
        for (row, &(t, text)) in events.iter().enumerate() {
            let (name, rest) = text.split_once(' ').unwrap_or((text, ""));
            o.ts.push(t);
            o.names.push(dicts.intern(DictCol::Name, name).unwrap() as u16);
            o.revenue.push(rest.parse::<f64>().unwrap_or(f64::NAN));
            o.access.0.push(if rest.starts_with('{') { rest.to_string() } else { "{}".into() });
            o.rows.push(RowRef { part: 0, row: row as u32 });
        }
        o
    }

    fn journey(&self) -> Journey<'_> {
        Journey {
            customer: crate::ActorId(0),
            ts: &self.ts,
            name: &self.names,
            dict: [&[]; DictCol::COUNT],
            revenue: &self.revenue,
            kind: &[],
            rows: &self.rows,
            access: &self.access,
        }
    }
}

fn definition(order: &str, stages: &str) -> JourneyDefinition {
    let text = format!("version = 1\nname = \"t\"\norder = \"{order}\"\n{stages}");
    JourneyDefinition::parse(&text, DefinitionFormat::Toml).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// view → cart → buy → buy (2nd), with an optional `within` on the cart stage.
fn four(order: &str, within: &str) -> JourneyDefinition {
    definition(
        order,
        &format!(
            "[[stages]]\nkey = \"view\"\nname = \"V\"\nevent = [\"view\", \"search\"]\n\
             [[stages]]\nkey = \"cart\"\nname = \"C\"\nevent = \"cart\"\n{within}\n\
             [[stages]]\nkey = \"buy\"\nname = \"B\"\nevent = \"buy where revenue > 0\"\n\
             [[stages]]\nkey = \"again\"\nname = \"A\"\nevent = \"buy where revenue > 0\"\nnth = 2\n"
        ),
    )
}

/// Classifies `events` and compares the entry times (None = not entered) and the current stage.
fn check(def: &JourneyDefinition, events: &[(i64, &str)], entered: &[Option<i64>]) {
    let mut dicts = Dictionaries::default();
    let o = Owned::new(events, &mut dicts);
    let model = StageModel::new(def, &dicts).unwrap();
    let got = model.classify(&mut EventView::new(&o.journey(), &dicts));
    assert_eq!(&got.entered[..model.len()], entered, "{events:?}");
    assert!(got.entered[model.len()..].iter().all(Option::is_none));
    assert_eq!(got.current, entered.iter().rposition(Option::is_some), "{events:?}");
}

#[test]
fn sequential_stages_enter_in_order_at_the_first_candidate_after_the_previous() {
    let d = four("sequential", "");
    check(&d, &[(0, "view"), (5, "cart"), (9, "buy 10"), (20, "buy 5")], &[Some(0), Some(5), Some(9), Some(20)]);
    // a purchase before the cart does not count for buy, but it is the first of two purchases: the second one
    // enters both buy and "again"
    check(&d, &[(0, "view"), (3, "buy 10"), (5, "cart"), (9, "buy 10")], &[Some(0), Some(5), Some(9), Some(9)]);
    check(&d, &[(0, "view"), (3, "buy 10"), (5, "cart")], &[Some(0), Some(5), None, None]);
    check(&d, &[(0, "buy 1"), (1, "buy 1"), (2, "search"), (3, "cart")], &[Some(2), Some(3), None, None]);
    // nth counts every match of the rule, also those before the previous stage: the 2nd purchase overall
    check(&d, &[(0, "buy 1"), (1, "view"), (2, "cart"), (3, "buy 1")], &[Some(1), Some(2), Some(3), Some(3)]);
    // conditions: a purchase without revenue is no purchase
    check(&d, &[(0, "view"), (1, "cart"), (2, "buy"), (3, "buy 0")], &[Some(0), Some(1), None, None]);
    check(&d, &[(0, "cart"), (1, "buy 3")], &[None, None, None, None]);
    check(&d, &[], &[None, None, None, None]);
}

#[test]
fn equal_times_count_as_at_or_after() {
    let d = four("sequential", "");
    // the cart happens at the same instant as the view but was ingested first: it still follows the view
    check(&d, &[(7, "cart"), (7, "view"), (7, "buy 2")], &[Some(7), Some(7), Some(7), None]);
    check(&d, &[(7, "buy 2"), (7, "cart"), (7, "view"), (8, "buy 1")], &[Some(7), Some(7), Some(7), Some(8)]);
}

#[test]
fn within_bounds_the_time_after_the_previous_stage() {
    let d = four("sequential", "within = \"10s\"");
    check(&d, &[(0, "view"), (10_000, "cart"), (10_001, "buy 1")], &[Some(0), Some(10_000), Some(10_001), None]);
    // the first cart after the view is too late: no cart stage, and nothing after it, ever
    check(
        &d,
        &[(0, "view"), (10_001, "cart"), (10_002, "view"), (10_003, "cart"), (10_004, "buy 1")],
        &[Some(0), None, None, None],
    );
}

#[test]
fn implied_order_lets_a_later_stage_imply_the_earlier_ones() {
    let d = four("implied", "");
    check(&d, &[(0, "view"), (3, "buy 10"), (5, "cart"), (9, "buy 10")], &[Some(0), Some(3), Some(3), Some(9)]);
    check(&d, &[(4, "buy 1")], &[Some(4), Some(4), Some(4), None]);
    check(&d, &[(1, "buy 1"), (2, "view"), (6, "buy 1")], &[Some(1), Some(1), Some(1), Some(6)]);
    check(&d, &[(2, "view")], &[Some(2), None, None, None]);
}

#[test]
fn property_conditions_and_alternatives() {
    let d = definition(
        "sequential",
        "[[stages]]\nkey = \"a\"\nname = \"A\"\nevent = [\"x where plan = pro\", \"y\"]\n\
         [[stages]]\nkey = \"b\"\nname = \"B\"\nevent = \"x where seats >= 3\"\nnth = 2\n",
    );
    check(&d, &[(0, "x {\"plan\":\"free\"}"), (1, "x {\"plan\":\"pro\"}")], &[Some(1), None]);
    check(
        &d,
        &[(0, "y"), (1, "x {\"seats\":3}"), (2, "x {\"seats\":1}"), (3, "x {\"seats\":\"4\"}")],
        &[Some(0), Some(3)],
    );
}

#[test]
fn the_default_definition_reads_a_demo_like_journey() {
    let d = JourneyDefinition::default_definition().unwrap();
    check(
        &d,
        &[
            (0, "session_start"),
            (1, "page_view"),
            (2, "view_item"),
            (3, "add_to_cart"),
            (4, "purchase 4990"),
            (9, "purchase 990"),
        ],
        &[Some(0), Some(2), Some(3), Some(4), Some(9)],
    );
    // the documented example: the purchase came before consideration
    check(
        &d,
        &[(0, "page_view"), (10, "view_item"), (20, "purchase 5"), (30, "add_to_cart")],
        &[Some(0), Some(10), Some(30), None, None],
    );
}

const DAY: i64 = 86_400_000;

fn spec(def: JourneyDefinition, now: i64, transitions: Option<(i64, i64)>) -> StagesSpec {
    let lifecycle =
        LifecycleSpec { activity: Vec::new(), thresholds: LifecycleThresholds::default(), at: now, transitions };
    StagesSpec { definition: def, now, stuck_ms: 14 * DAY, lifecycle }
}

#[test]
fn the_report_counts_converts_times_and_flags_stuck_customers() {
    let journeys: Vec<Vec<(i64, &str)>> = vec![
        vec![(0, "view"), (DAY, "cart"), (3 * DAY, "buy 5")],
        vec![(-100 * DAY, "search"), (2 * DAY, "cart")],
        vec![(10 * DAY, "view")],
        vec![(-45 * DAY, "cart")],
        vec![(0, "view"), (40 * DAY, "cart")], // the cart is after now: ignored
        vec![(31 * DAY, "view")],              // first seen after now: not a customer yet
    ];
    let mut dicts = Dictionaries::default();
    let owned: Vec<Owned> = journeys.iter().map(|e| Owned::new(e, &mut dicts)).collect();
    let now = 30 * DAY;
    let fold = StagesFold::new(spec(four("sequential", ""), now, Some((5 * DAY, 20 * DAY))), &dicts).unwrap();
    // fold in two chunks and merge, as an engine does
    let (mut a, mut b) = (fold.init(), fold.init());
    for (i, o) in owned.iter().enumerate() {
        fold.fold(if i < 2 { &mut a } else { &mut b }, &o.journey());
    }
    fold.merge(&mut a, b);
    let r = fold.report(&a);
    assert_eq!((r.customers, r.no_stage), (5, 1));
    let col = |f: fn(&StageReport) -> Option<f64>| r.stages.iter().map(f).collect::<Vec<_>>();
    assert_eq!(r.stages.iter().map(|s| s.entered).collect::<Vec<_>>(), [4, 2, 1, 0]);
    assert_eq!(r.stages.iter().map(|s| s.current).collect::<Vec<_>>(), [2, 1, 1, 0]);
    assert_eq!(col(|s| s.conversion_to_next), [Some(0.5), Some(0.5), Some(0.0), None]);
    assert_eq!(col(|s| s.conversion_from_first), [Some(1.0), Some(0.5), Some(0.25), Some(0.0)]);
    // view → cart: 1 day and 102 days; cart → buy: 2 days
    assert_eq!(col(|s| s.median_seconds_in_stage), [Some(51.5 * 86_400.0), Some(2.0 * 86_400.0), None, None]);
    // still in view for 20 and 30 days, in cart for 28, in buy for 27: all longer than 14 days
    assert_eq!(
        col(|s| s.median_seconds_still_in_stage),
        [Some(25.0 * 86_400.0), Some(28.0 * 86_400.0), Some(27.0 * 86_400.0), None]
    );
    assert_eq!(r.stages.iter().map(|s| s.stuck).collect::<Vec<_>>(), [Some(2), Some(1), Some(1), None]);
    let state = |s: LifecycleState| r.lifecycle.states[s.index()].customers;
    assert_eq!(state(LifecycleState::New), 3);
    assert_eq!(state(LifecycleState::Reactivated), 1);
    assert_eq!(state(LifecycleState::Dormant), 1);
    let t = r.lifecycle.transitions.as_ref().unwrap();
    assert_eq!(t.states, ["none", "new", "active", "returning", "reactivated", "dormant", "churned"]);
    let mut want = vec![vec![0u64; 7]; 7];
    want[1][1] = 2; // new → new
    want[4][4] = 1; // reactivated → reactivated
    want[0][1] = 1; // not yet a customer → new
    want[5][5] = 1; // dormant → dormant
    assert_eq!(t.matrix, want);
}

#[test]
fn bad_specs_name_their_argument() {
    let d = four("sequential", "");
    let mut s = spec(d.clone(), 10 * DAY, Some((5 * DAY, 11 * DAY)));
    let dicts = Dictionaries::default();
    use crate::analysis::invalid::SpecField;
    let fields = |s: &StagesSpec| s.validate().unwrap_err().0.iter().map(|e| e.field).collect::<Vec<_>>();
    assert!(StagesFold::new(s.clone(), &dicts).err().unwrap().starts_with("transitions: "));
    assert_eq!(fields(&s), [SpecField::Transitions]);
    s.lifecycle.transitions = Some((5 * DAY, 5 * DAY));
    assert_eq!(fields(&s), [SpecField::Transitions]);
    s.lifecycle.transitions = None;
    s.stuck_ms = 0;
    assert!(StagesFold::new(s.clone(), &dicts).err().unwrap().starts_with("stuck: "));
    assert_eq!(fields(&s), [SpecField::Stuck]);
}
