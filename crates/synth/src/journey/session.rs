//! Sessions: a visit to the site, a shop or the call centre, and the events inside it.

use std::fmt::Write as _;

use tropa_core::event::MessageKind;

use super::{Order, Sim, Stage, MINUTE, SESSION_MARGIN};
use crate::catalog::{
    Page, Product, ACCOUNT, CART, CATEGORIES, CHECKOUT, NO_PAGE, PAYMENT, PAYMENT_PROPS, PAYMENT_TYPES,
    PAYMENT_WEIGHTS, THANK_YOU,
};
use crate::channels::{Landing, Visit};
use crate::emit::{push_decimal, Scene};

const TRACK: MessageKind = MessageKind::Track;

/// Whether an offline session ends with an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Buys {
    No,
    Yes,
}

impl Sim<'_> {
    /// A visit to the site at `t` that goes as far as `goal`; `identify` asks for a registration on the way.
    /// Returns false once the period is over.
    pub(super) fn web_session(&mut self, t: i64, visit: &'static Visit, goal: Stage, identify: bool) -> bool {
        if t >= self.end - SESSION_MARGIN {
            return false;
        }
        self.flush_until(t);
        if visit.medium == "email" && self.identified {
            // The mailing service saw the open and the click before the visit.
            self.em.at(t - self.rng.between(2 * MINUTE, 40 * MINUTE));
            self.em.scene = Scene::back_office("email", Some(visit));
            self.em.emit(TRACK, "email_open", NO_PAGE, "{}");
            self.em.after(self.rng.between(5_000, 90_000));
            self.em.emit(TRACK, "email_click", NO_PAGE, "{}");
        }
        self.em.at(t);
        let device = if self.identified && self.p.second_device && self.rng.chance(0.35) { 1 } else { 0 };
        self.em.scene = Scene::web(visit, device);
        self.em.scene.user = self.logged_in[device];
        let category = match visit.focus {
            Some(c) if self.rng.chance(0.8) => c,
            _ if self.rng.chance(0.7) => self.p.favourite,
            _ => self.rng.below(CATEGORIES.len() as u64) as usize,
        };
        let products = CATEGORIES[category].products;
        let mut viewed: Option<&'static Product> = None;
        let landing = match visit.landing {
            Landing::Fixed(page) => page,
            Landing::Category => CATEGORIES[category].page,
            Landing::Product => {
                let product = self.rng.pick(products);
                viewed = Some(product);
                product.page
            }
        };
        self.em.emit(TRACK, "session_start", landing, "{}");
        // The landing page view follows the session start within the same page load.
        self.em.after(self.rng.between(50, 1_500));
        self.em.emit(MessageKind::Page, "page_view", landing, "{}");
        if let Some(product) = viewed {
            self.tick();
            self.em.emit(TRACK, "view_item", product.page, product.props);
        }
        // A known customer logs in (always on a device used for the first time), or a new one registers.
        let login = self.identified && !self.logged_in[device] && (!self.used[device] || self.rng.chance(0.6));
        if login || (identify && !self.identified) {
            self.identify(device, ACCOUNT);
        }
        if goal == Stage::Bounce {
            if viewed.is_none() && self.rng.chance(0.4) {
                self.view(products);
            }
            if self.rng.chance(0.15) {
                self.tick();
                self.em.emit(MessageKind::Page, "page_view", CATEGORIES[category].page, "{}");
            }
            return !self.em.stopped();
        }
        if self.rng.chance(0.3) {
            let search = self.rng.pick(CATEGORIES[category].searches);
            self.tick();
            self.em.emit(TRACK, "search", search.page, search.props);
        }
        for _ in 0..1 + self.rng.geometric(0.8) - u32::from(viewed.is_some()) {
            if self.rng.chance(0.25) {
                self.tick();
                self.em.emit(MessageKind::Page, "page_view", CATEGORIES[category].page, "{}");
            }
            viewed = Some(self.view(products));
        }
        if goal >= Stage::Cart {
            let first = viewed.unwrap_or(&products[0]);
            self.tick();
            self.em.emit(TRACK, "add_to_cart", first.page, first.cart_props);
            let second = self.rng.chance(0.25).then(|| {
                let c = self.rng.below(CATEGORIES.len() as u64) as usize;
                let other = self.rng.pick(CATEGORIES[c].products);
                self.tick();
                self.em.emit(TRACK, "add_to_cart", other.page, other.cart_props);
                other
            });
            self.tick();
            self.em.emit(MessageKind::Page, "page_view", CART, self.p.cart);
            if goal >= Stage::Checkout {
                self.checkout(device, goal, first, second);
            }
        }
        if self.logged_in[device] && self.rng.chance(0.05) {
            self.tick();
            self.em.emit(TRACK, "logout", ACCOUNT, "{}");
            self.logged_in[device] = false;
            self.em.scene.user = false;
        }
        !self.em.stopped()
    }

    fn view(&mut self, products: &'static [Product]) -> &'static Product {
        let product = self.rng.pick(products);
        self.tick();
        self.em.emit(TRACK, "view_item", product.page, product.props);
        product
    }

    fn checkout(&mut self, device: usize, goal: Stage, first: &'static Product, second: Option<&'static Product>) {
        let buys = goal == Stage::Purchase;
        if !self.logged_in[device] && (buys || self.identified || self.rng.chance(0.75)) {
            self.identify(device, CHECKOUT);
        }
        self.tick();
        self.em.emit(TRACK, "begin_checkout", CHECKOUT, self.p.variant.checkout_props());
        let payment = self.rng.weighted(&PAYMENT_WEIGHTS);
        if self.rng.chance(if buys { 0.95 } else { 0.4 }) {
            self.tick();
            self.em.emit(TRACK, "add_payment_info", PAYMENT, PAYMENT_PROPS[payment]);
        }
        if buys {
            self.tick();
            self.purchase(THANK_YOU, first, second, PAYMENT_TYPES[payment]);
        }
    }

    /// Registration or login: the identify call that links this device's anonymous id to the user id.
    pub(super) fn identify(&mut self, device: usize, page: Page) {
        if !self.identified {
            self.identified = true;
            self.subscribed = self.first == crate::channels::Source::Email || self.rng.chance(0.6);
        }
        self.logged_in[device] = true;
        self.used[device] = true;
        self.em.scene.user = true;
        self.tick();
        self.em.emit(MessageKind::Identify, "identify", page, "{}");
    }

    /// The order event; remembers the order for what follows it.
    fn purchase(&mut self, page: Page, first: &'static Product, second: Option<&'static Product>, payment: &str) {
        self.orders += 1;
        let n = self.orders;
        let revenue = first.price + second.map_or(0, |p| p.price);
        let mut props = String::with_capacity(160);
        props.push_str("{\"order_id\":\"");
        self.push_order_id(&mut props, n);
        let _ = write!(
            props,
            "\",\"items\":{},\"category\":\"{}\",\"revenue\":{revenue},\"currency\":\"RUB\",\"payment_type\":\"{payment}\"}}",
            1 + u32::from(second.is_some()),
            first.category,
        );
        if let Some(ev) = self.em.emit(TRACK, "purchase", page, props) {
            ev.revenue = Some(f64::from(revenue));
            ev.currency.push_str("RUB");
            self.last_order = Some(Order { n, revenue, product: first });
        }
    }

    /// `o-<the customer's hex>-<n>`: unique across the data set.
    pub(super) fn push_order_id(&self, s: &mut String, n: u32) {
        s.push_str("o-");
        s.push_str(&self.p.anon[0][2..]);
        s.push('-');
        push_decimal(s, n);
    }

    /// A visit to a shop (touchpoint `store`) or a call (`call_center`) by an identified customer.
    pub(super) fn offline_visit(&mut self, t: i64, touchpoint: &'static str, buys: Buys) -> bool {
        if t >= self.end - SESSION_MARGIN {
            return false;
        }
        self.flush_until(t);
        self.em.at(t);
        self.em.scene = Scene::offline(touchpoint);
        self.em.emit(TRACK, "session_start", NO_PAGE, "{}");
        let product = self.rng.pick(CATEGORIES[self.p.favourite].products);
        if touchpoint == "store" {
            self.em.after(self.rng.between(MINUTE, 15 * MINUTE));
            self.em.emit(TRACK, "view_item", NO_PAGE, product.props);
        }
        if buys == Buys::Yes {
            self.em.after(self.rng.between(MINUTE, 10 * MINUTE));
            let payment = PAYMENT_TYPES[self.rng.weighted(&PAYMENT_WEIGHTS[..2])];
            self.purchase(NO_PAGE, product, None, payment);
        }
        !self.em.stopped()
    }
}
