-- Customers texted in their own language. NULL: the business's default language.
ALTER TABLE clients ADD COLUMN language TEXT;

-- A template version holds its text in every language it has, versioned together: `body` is
-- the English text, `translations` a JSON object of the others ({"es": "..."}). Versions stay
-- immutable; saving any language's text makes a new version of all of them.
ALTER TABLE template_versions ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';

-- The language each outbound text was written in (NULL before languages, and for inbound).
ALTER TABLE messages ADD COLUMN language TEXT;
