/* SPDX-License-Identifier: MIT */
/*
 * x509_name.c - a Name as text, as x509_name.h says. The attributes are
 * read in DER order and printed last first, which puts the most specific
 * RDN first and reverses the attributes of a multi-valued RDN too, as
 * OpenSSL's XN_FLAG_DN_REV does.
 */
#include <string.h>

#include "backends/x509_name.h"

/* Longer names are cut: more than any certificate a server sends. */
#define MAX_ATTRIBUTES 64

/* OpenSSL's short names, by the encoded OID of the attribute type. */
static const struct {
  const char *oid; /* content octets */
  size_t len;
  const char *name;
} short_names[] = {
#define SN(enc, text)                                                          \
  { enc, sizeof(enc) - 1, text }
    SN("\x55\x04\x03", "CN"),                     /* 2.5.4.3 */
    SN("\x55\x04\x04", "SN"),                     /* 2.5.4.4 */
    SN("\x55\x04\x05", "serialNumber"),           /* 2.5.4.5 */
    SN("\x55\x04\x06", "C"),                      /* 2.5.4.6 */
    SN("\x55\x04\x07", "L"),                      /* 2.5.4.7 */
    SN("\x55\x04\x08", "ST"),                     /* 2.5.4.8 */
    SN("\x55\x04\x09", "street"),                 /* 2.5.4.9 */
    SN("\x55\x04\x0a", "O"),                      /* 2.5.4.10 */
    SN("\x55\x04\x0b", "OU"),                     /* 2.5.4.11 */
    SN("\x55\x04\x0c", "title"),                  /* 2.5.4.12 */
    SN("\x55\x04\x0d", "description"),            /* 2.5.4.13 */
    SN("\x55\x04\x0f", "businessCategory"),       /* 2.5.4.15 */
    SN("\x55\x04\x11", "postalCode"),             /* 2.5.4.17 */
    SN("\x55\x04\x29", "name"),                   /* 2.5.4.41 */
    SN("\x55\x04\x2a", "GN"),                     /* 2.5.4.42 */
    SN("\x55\x04\x2b", "initials"),               /* 2.5.4.43 */
    SN("\x55\x04\x2c", "generationQualifier"),    /* 2.5.4.44 */
    SN("\x55\x04\x2e", "dnQualifier"),            /* 2.5.4.46 */
    SN("\x55\x04\x41", "pseudonym"),              /* 2.5.4.65 */
    SN("\x55\x04\x61", "organizationIdentifier"), /* 2.5.4.97 */
    /* 0.9.2342.19200300.100.1.25 and .1 */
    SN("\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x19", "DC"),
    SN("\x09\x92\x26\x89\x93\xf2\x2c\x64\x01\x01", "UID"),
    /* 1.2.840.113549.1.9.1 */
    SN("\x2a\x86\x48\x86\xf7\x0d\x01\x09\x01", "emailAddress"),
    /* 1.3.6.1.4.1.311.60.2.1.1 to .3 */
    SN("\x2b\x06\x01\x04\x01\x82\x37\x3c\x02\x01\x01", "jurisdictionL"),
    SN("\x2b\x06\x01\x04\x01\x82\x37\x3c\x02\x01\x02", "jurisdictionST"),
    SN("\x2b\x06\x01\x04\x01\x82\x37\x3c\x02\x01\x03", "jurisdictionC"),
#undef SN
};

/* String types by tag, and how many bytes each character takes: 0 for
 * UTF-8, -1 for a type printed as its DER in hex. */
static int char_width(unsigned tag) {
  switch (tag) {
  case 12: /* UTF8String */
    return 0;
  case 18: /* NumericString */
  case 19: /* PrintableString */
  case 20: /* TeletexString, taken as Latin-1 */
  case 22: /* IA5String */
  case 23: /* UTCTime */
  case 24: /* GeneralizedTime */
  case 26: /* VisibleString */
    return 1;
  case 30: /* BMPString */
    return 2;
  case 28: /* UniversalString */
    return 4;
  default:
    return -1;
  }
}

struct out {
  char *p;
  size_t cap, len;
};

static void put(struct out *o, char ch) {
  if (o->len + 1 < o->cap)
    o->p[o->len++] = ch;
  o->p[o->len] = '\0';
}

static void put_text(struct out *o, const char *s) {
  for (; *s; s++)
    put(o, *s);
}

static void put_hex(struct out *o, unsigned char byte) {
  static const char digits[] = "0123456789ABCDEF";
  put(o, digits[byte >> 4]);
  put(o, digits[byte & 15]);
}

/* "#" and the bytes in hex: a value OpenSSL has no string type for. */
static void put_dump(struct out *o, const struct hr_der *whole) {
  put(o, '#');
  for (size_t i = 0; i < whole->len; i++)
    put_hex(o, whole->p[i]);
}

/* One character, first or last of its value or neither. */
static void put_char(struct out *o, unsigned long c, int first, int last) {
  if (c >= 0x80) { /* as UTF-8, every byte escaped */
    unsigned char utf8[4];
    size_t n;
    if (c < 0x800) {
      utf8[0] = (unsigned char)(0xc0 | c >> 6);
      n = 1;
    } else if (c < 0x10000) {
      utf8[0] = (unsigned char)(0xe0 | c >> 12);
      utf8[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
      n = 2;
    } else {
      utf8[0] = (unsigned char)(0xf0 | ((c >> 18) & 0x07));
      utf8[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
      utf8[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
      n = 3;
    }
    utf8[n++] = (unsigned char)(0x80 | (c & 0x3f));
    for (size_t i = 0; i < n; i++) {
      put(o, '\\');
      put_hex(o, utf8[i]);
    }
    return;
  }
  if (c < 0x20 || c == 0x7f) {
    put(o, '\\');
    put_hex(o, (unsigned char)c);
    return;
  }
  if (strchr(",+\"\\<>;", (int)c) || (first && (c == '#' || c == ' ')) ||
      (last && c == ' '))
    put(o, '\\');
  put(o, (char)c);
}

/* A value of a string type, character by character. UTF-8 bytes of a
 * UTF8String go out as they are (an ASCII byte) or escaped (any other,
 * whatever it encodes): the text OpenSSL gives for valid UTF-8. */
static void put_value(struct out *o, const struct hr_der_elem *v) {
  int width = char_width(v->tag);
  const unsigned char *s = v->value.p;
  size_t n = v->value.len;
  if (width < 0 || (width > 1 && n % (size_t)width != 0)) {
    put_dump(o, &v->whole);
    return;
  }
  size_t step = width ? (size_t)width : 1;
  for (size_t i = 0; i < n; i += step) {
    unsigned long c = 0;
    for (size_t k = 0; k < step; k++)
      c = c << 8 | s[i + k];
    int first = i == 0, last = i + step == n;
    if (width == 0 && c >= 0x80) { /* a byte of UTF-8 */
      put(o, '\\');
      put_hex(o, (unsigned char)c);
      continue;
    }
    put_char(o, c, first, last);
  }
}

struct attribute {
  struct hr_der type;       /* the OID's content */
  struct hr_der_elem value; /* AttributeValue */
  size_t rdn;               /* which RDN it belongs to */
};

static void put_attribute(struct out *o, const struct attribute *a) {
  for (size_t i = 0; i < sizeof(short_names) / sizeof(short_names[0]); i++) {
    if (a->type.len == short_names[i].len &&
        memcmp(a->type.p, short_names[i].oid, a->type.len) == 0) {
      put_text(o, short_names[i].name);
      put(o, '=');
      put_value(o, &a->value);
      return;
    }
  }
  char oid[96];
  hr_der_oid_text(oid, sizeof(oid), &a->type);
  put_text(o, oid);
  put(o, '=');
  put_dump(o, &a->value.whole);
}

/* The attributes of name in DER order; -1 when it is malformed (those
 * read before the fault are kept). */
static int read_attributes(const struct hr_der *name, struct attribute *out,
                           size_t *count) {
  struct hr_der in = *name, rdns, set;
  *count = 0;
  if (hr_der_take(&in, HR_DER_SEQUENCE, &rdns) != 0 || in.len != 0)
    return -1;
  for (size_t rdn = 0; rdns.len > 0; rdn++) {
    if (hr_der_take(&rdns, HR_DER_SET, &set) != 0 || set.len == 0)
      return -1;
    while (set.len > 0) {
      struct hr_der atv;
      struct attribute a = {.rdn = rdn};
      if (hr_der_take(&set, HR_DER_SEQUENCE, &atv) != 0 ||
          hr_der_take(&atv, HR_DER_OID, &a.type) != 0 ||
          hr_der_next(&atv, &a.value) != 0 || atv.len != 0)
        return -1;
      if (*count == MAX_ATTRIBUTES)
        return 0;
      out[(*count)++] = a;
    }
  }
  return 0;
}

int hr_name_text(const struct hr_der *name, char *out, size_t cap) {
  struct attribute attrs[MAX_ATTRIBUTES];
  struct out o = {out, cap, 0};
  size_t count;
  out[0] = '\0';
  int rc = read_attributes(name, attrs, &count);
  for (size_t i = count; i-- > 0;) {
    if (i + 1 < count)
      put(&o, attrs[i].rdn == attrs[i + 1].rdn ? '+' : ',');
    put_attribute(&o, &attrs[i]);
  }
  if (rc != 0)
    put_text(&o, "#malformed");
  return rc;
}
