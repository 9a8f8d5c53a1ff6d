//! The currencies of a multicurrency company (`EmulatorConfig::multicurrency`): which customers
//! and vendors deal in a foreign currency, at what rate, and amounts turned into the home
//! currency (USD) for the books.
//!
//! Why it exists: in a company with multicurrency on, QBO gives every customer and vendor a
//! `CurrencyRef`, every transaction its `CurrencyRef` and `ExchangeRate` (home currency per
//! unit; 1 for home-currency transactions) and amounts in the transaction's currency, with
//! `HomeTotalAmt` (and `HomeBalance`) in the home currency; reports are in the home currency.
//! Here every fourth customer pays in Canadian dollars and every third vendor bills in euros,
//! at fixed rates, so tests can compute what a report must say. Writes are in the home currency.
//! With multicurrency off (the default) nothing changes: no `ExchangeRate`, no home amounts.

/// A currency and its rate to the home currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Currency {
    /// ISO 4217 code, the `CurrencyRef.value`.
    pub(crate) code: &'static str,
    /// QBO's name for it, the `CurrencyRef.name`.
    pub(crate) name: &'static str,
    /// Home currency per unit, in hundredths (`ExchangeRate` 0.73 is 73).
    pub(crate) rate: i64,
}

/// The home currency.
pub(crate) const HOME: Currency = Currency {
    code: "USD",
    name: "United States Dollar",
    rate: 100,
};
/// Customers' foreign currency.
pub(crate) const CAD: Currency = Currency {
    code: "CAD",
    name: "Canadian Dollar",
    rate: 73,
};
/// Vendors' foreign currency.
pub(crate) const EUR: Currency = Currency {
    code: "EUR",
    name: "Euro",
    rate: 108,
};

impl Currency {
    /// `cents` of this currency in home cents, rounded half away from zero.
    pub(crate) fn home(self, cents: i64) -> i64 {
        if self.rate == 100 {
            return cents;
        }
        let scaled = i128::from(cents) * i128::from(self.rate);
        let rounded = (scaled.abs() + 50) / 100 * scaled.signum();
        i64::try_from(rounded).unwrap_or(if cents < 0 { i64::MIN } else { i64::MAX })
    }

    /// `home` cents in this currency at its rate, rounded half away from zero (the inverse of
    /// [`Currency::home`] up to that rounding).
    pub(crate) fn foreign(self, home: i64) -> i64 {
        if self.rate == 100 || self.rate == 0 {
            return home;
        }
        let scaled = i128::from(home) * 100;
        let rate = i128::from(self.rate);
        let rounded = (scaled.abs() + rate / 2) / rate * scaled.signum();
        i64::try_from(rounded).unwrap_or(if home < 0 { i64::MIN } else { i64::MAX })
    }

    /// The rate as QBO writes `ExchangeRate` (home units per unit: `0.73`, `1`).
    pub(crate) fn rate_text(self) -> String {
        let (whole, hundredths) = (self.rate / 100, self.rate % 100);
        match hundredths {
            0 => whole.to_string(),
            h if h % 10 == 0 => format!("{whole}.{}", h / 10),
            h => format!("{whole}.{h:02}"),
        }
    }

    /// Turns a transaction of `amount` (its account's side) and its `others` (the other side) into
    /// home cents; the other side takes the rounding on its first entry (an income or expense
    /// line, never the tax that comes last) so both sides stay equal.
    pub(crate) fn home_entry(self, amount: i64, others: &mut [(usize, i64)]) -> i64 {
        if self.rate == 100 {
            return amount;
        }
        let home = self.home(amount);
        let mut sum = 0;
        for (_, value) in others.iter_mut() {
            *value = self.home(*value);
            sum += *value;
        }
        if let Some((_, first)) = others.first_mut() {
            *first += home - sum;
        }
        home
    }
}

/// Which currency each customer and vendor deals in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Currencies {
    /// Multicurrency is on.
    pub(crate) on: bool,
}

impl Currencies {
    /// The currency of customer `index` (every fourth pays in CAD).
    pub(crate) fn of_customer(self, index: usize) -> Currency {
        if self.on && index % 4 == 3 { CAD } else { HOME }
    }

    /// The currency of vendor `index` (every third bills in EUR).
    pub(crate) fn of_vendor(self, index: usize) -> Currency {
        if self.on && index % 3 == 2 { EUR } else { HOME }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_amounts_undo_home_amounts_and_rates_print_as_qbo_writes_them() {
        assert_eq!(CAD.foreign(7_300), 10_000);
        assert_eq!(CAD.foreign(-73), -100);
        assert_eq!(EUR.foreign(108), 100);
        assert_eq!(HOME.foreign(12_345), 12_345);
        for cents in [1, 99, 12_345, 987_654] {
            assert!((CAD.foreign(CAD.home(cents)) - cents).abs() <= 1, "{cents}");
        }
        assert_eq!(CAD.rate_text(), "0.73");
        assert_eq!(EUR.rate_text(), "1.08");
        assert_eq!(HOME.rate_text(), "1");
    }

    #[test]
    fn home_amounts_round_half_away_from_zero_and_entries_stay_balanced() {
        assert_eq!(CAD.home(10_000), 7_300);
        assert_eq!(CAD.home(1), 1, "0.73 of a cent rounds to 1");
        assert_eq!(CAD.home(-1), -1);
        assert_eq!(EUR.home(250), 270);
        assert_eq!(HOME.home(12_345), 12_345);
        let mut others = vec![(1, 333), (2, 333), (3, 334)];
        let home = CAD.home_entry(1_000, &mut others);
        assert_eq!(home, 730);
        assert_eq!(others.iter().map(|(_, v)| v).sum::<i64>(), home);
        let off = Currencies::default();
        assert_eq!((off.of_customer(3), off.of_vendor(2)), (HOME, HOME));
        let on = Currencies { on: true };
        assert_eq!((on.of_customer(3), on.of_customer(4)), (CAD, HOME));
        assert_eq!(on.of_vendor(2), EUR);
    }
}
