//! User agent → browser, operating system and device type, by ordered substring rules (no regular expressions,
//! no data files). Knows the browsers common in Russia as well as global ones: Yandex Browser, Chrome, Safari,
//! Firefox, Edge, Opera, Samsung Internet, and the in-app browsers of VK, Telegram and Instagram.
//!
//! | field | values |
//! |---|---|
//! | browser | yandex, edge, opera, samsung, vk_app, telegram, instagram, firefox, chrome, safari, other |
//! | os | windows, macos, ios, android, harmonyos, chromeos, linux, other |
//! | device | desktop, mobile, tablet, bot |
//!
//! An empty user agent gives empty values. Example: `Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) …
//! Version/17.0 Mobile/15E148 Safari/604.1` → `safari`, `ios`, `mobile`.

/// What a user agent says about the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Device {
    pub browser: &'static str,
    pub os: &'static str,
    pub device: &'static str,
}

/// The part of a [`Device`] a report looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceField {
    Browser,
    Os,
    Device,
}

impl Device {
    pub fn get(&self, f: DeviceField) -> &'static str {
        match f {
            DeviceField::Browser => self.browser,
            DeviceField::Os => self.os,
            DeviceField::Device => self.device,
        }
    }
}

const BOTS: &[&str] =
    &["bot", "crawler", "spider", "slurp", "headlesschrome", "lighthouse", "curl/", "python-requests"];

/// First rule that matches wins (order matters: Edge and Yandex also say Chrome, Chrome also says Safari).
const BROWSERS: &[(&str, &str)] = &[
    ("yabrowser", "yandex"),
    ("yasearchbrowser", "yandex"),
    ("edg/", "edge"),
    ("edga/", "edge"),
    ("edgios/", "edge"),
    ("opr/", "opera"),
    ("opera", "opera"),
    ("samsungbrowser", "samsung"),
    ("vkclient", "vk_app"),
    ("vkandroidapp", "vk_app"),
    ("telegram", "telegram"),
    ("instagram", "instagram"),
    ("firefox/", "firefox"),
    ("fxios/", "firefox"),
    ("crios/", "chrome"),
    ("chrome/", "chrome"),
    ("chromium/", "chrome"),
    ("safari/", "safari"),
];

const SYSTEMS: &[(&str, &str)] = &[
    ("harmonyos", "harmonyos"),
    ("iphone", "ios"),
    ("ipad", "ios"),
    ("ipod", "ios"),
    ("android", "android"),
    ("cros", "chromeos"),
    ("windows", "windows"),
    ("macintosh", "macos"),
    ("mac os x", "macos"),
    ("linux", "linux"),
];

/// Reads a user agent.
pub fn parse(ua: &str) -> Device {
    if ua.trim().is_empty() {
        return Device { browser: "", os: "", device: "" };
    }
    let l = ua.to_ascii_lowercase();
    let first = |rules: &[(&str, &'static str)]| rules.iter().find(|(k, _)| l.contains(k)).map_or("other", |r| r.1);
    let os = first(SYSTEMS);
    let device = if BOTS.iter().any(|b| l.contains(b)) {
        "bot"
    } else if l.contains("ipad") || l.contains("tablet") || (os == "android" && !l.contains("mobile")) {
        "tablet"
    } else if l.contains("mobi") || l.contains("iphone") || l.contains("ipod") || os == "android" {
        "mobile"
    } else {
        "desktop"
    };
    Device { browser: first(BROWSERS), os, device }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ua: &str, want: (&str, &str, &str)) {
        let d = parse(ua);
        assert_eq!((d.browser, d.os, d.device), want, "{ua}");
    }

    #[test]
    fn common_agents() {
        check("", ("", "", ""));
        check("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", ("chrome", "windows", "desktop"));
        check("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 YaBrowser/24.1.0.0 Safari/537.36", ("yandex", "windows", "desktop"));
        check("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0", ("edge", "windows", "desktop"));
        check("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1", ("safari", "ios", "mobile"));
        check("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/119.0 Mobile/15E148 Safari/604.1", ("chrome", "ios", "tablet"));
        check("Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", ("samsung", "android", "mobile"));
        check(
            "Mozilla/5.0 (Linux; Android 12; Tab S8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Safari/537.36",
            ("chrome", "android", "tablet"),
        );
        check("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15", ("safari", "macos", "desktop"));
        check(
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
            ("firefox", "linux", "desktop"),
        );
        check("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", ("other", "other", "bot"));
        check("Mozilla/5.0 (Linux; Android 11; M2101K6G) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0 Mobile Safari/537.36 VKAndroidApp/8.52", ("vk_app", "android", "mobile"));
        check("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", ("chrome", "chromeos", "desktop"));
        check("Opera/9.80 (Windows NT 6.1) Presto/2.12.388 Version/12.18", ("opera", "windows", "desktop"));
        check("something odd", ("other", "other", "desktop"));
    }
}
