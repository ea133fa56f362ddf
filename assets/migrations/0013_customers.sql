-- The customers of the sales registry, one row each, instead of two indexes over every
-- sale. A registry of a million sales has a few thousand customers: a reseller is found by
-- its number or by the address its mail comes from, and listed with its name and address,
-- by reading this small table rather than a million index entries; an import keeps it
-- current from the sales it adds instead of writing every sale into two more b-trees.

-- Each field as the latest sale that has it names it: a sale with no address does not
-- blank the address an earlier sale gave. "Latest" is by dispatch date, then by IMEI
-- (so that the order files are imported in does not matter); each `*_from` column holds
-- the `dispatched_on || ' ' || imei` of the sale its field came from.
CREATE TABLE IF NOT EXISTS customers (
    customer_number       TEXT PRIMARY KEY NOT NULL,
    customer_name         TEXT,
    customer_name_from    TEXT,
    customer_email        TEXT,
    customer_email_from   TEXT,
    customer_address      TEXT,
    customer_address_from TEXT,
    country               TEXT,
    country_from          TEXT,
    customer_phone        TEXT,
    customer_phone_from   TEXT
) WITHOUT ROWID;

-- Every address any of a customer's sales carries, to know a customer by its mail's sender.
CREATE TABLE IF NOT EXISTS customer_emails (
    email           TEXT NOT NULL COLLATE NOCASE,
    customer_number TEXT NOT NULL,
    PRIMARY KEY (email, customer_number)
) WITHOUT ROWID;

-- The sales already in the registry, with the rule an import applies (src/store/sales.rs).
INSERT INTO customers
SELECT customer_number,
       customer_name,    iif(customer_name IS NULL, NULL, dispatched_on || ' ' || imei),
       customer_email,   iif(customer_email IS NULL, NULL, dispatched_on || ' ' || imei),
       customer_address, iif(customer_address IS NULL, NULL, dispatched_on || ' ' || imei),
       country,          iif(country IS NULL, NULL, dispatched_on || ' ' || imei),
       customer_phone,   iif(customer_phone IS NULL, NULL, dispatched_on || ' ' || imei)
FROM sales WHERE true
ON CONFLICT (customer_number) DO UPDATE SET
    customer_name = iif(excluded.customer_name_from > coalesce(customer_name_from, ''), excluded.customer_name, customer_name),
    customer_name_from = iif(excluded.customer_name_from > coalesce(customer_name_from, ''), excluded.customer_name_from, customer_name_from),
    customer_email = iif(excluded.customer_email_from > coalesce(customer_email_from, ''), excluded.customer_email, customer_email),
    customer_email_from = iif(excluded.customer_email_from > coalesce(customer_email_from, ''), excluded.customer_email_from, customer_email_from),
    customer_address = iif(excluded.customer_address_from > coalesce(customer_address_from, ''), excluded.customer_address, customer_address),
    customer_address_from = iif(excluded.customer_address_from > coalesce(customer_address_from, ''), excluded.customer_address_from, customer_address_from),
    country = iif(excluded.country_from > coalesce(country_from, ''), excluded.country, country),
    country_from = iif(excluded.country_from > coalesce(country_from, ''), excluded.country_from, country_from),
    customer_phone = iif(excluded.customer_phone_from > coalesce(customer_phone_from, ''), excluded.customer_phone, customer_phone),
    customer_phone_from = iif(excluded.customer_phone_from > coalesce(customer_phone_from, ''), excluded.customer_phone_from, customer_phone_from);

INSERT OR IGNORE INTO customer_emails (email, customer_number)
SELECT customer_email, customer_number FROM sales WHERE customer_email IS NOT NULL;

DROP INDEX IF EXISTS sales_customer_number;
DROP INDEX IF EXISTS sales_customer_email;
