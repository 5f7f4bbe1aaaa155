namespace MxResolver.Tests.Dns;

/// <summary>
/// Hand-assembled response messages shared by the codec tests. Offsets in comments are from the
/// start of the message (@N); every name after the question is compressed where it can be.
/// </summary>
internal static class WireSamples
{
    /// <summary>
    /// A response with every section populated: question example.com. MX; answers: two MX and a
    /// CNAME; authority: an SOA; additional: A, AAAA and an OPT with DO set.
    /// </summary>
    public static byte[] AllSections() =>
    [
        // @0 header: ID 0xABCD, flags 0x8580 (QR, AA, RD, RA, NOERROR), QD 1, AN 3, NS 1, AR 3
        0xAB, 0xCD, 0x85, 0x80, 0x00, 0x01, 0x00, 0x03, 0x00, 0x01, 0x00, 0x03,
        // @12 question: example.com. ("com" at @20), MX, IN
        7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0,
        0x00, 0x0F, 0x00, 0x01,
        // @29 answer 1: owner -> @12, MX, IN, TTL 3600, RDLENGTH 9
        0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x09,
        // @41 preference 10; @43 exchange "mail" -> @12 (mail.example.com.)
        0x00, 0x0A, 4, (byte)'m', (byte)'a', (byte)'i', (byte)'l', 0xC0, 0x0C,
        // @50 answer 2: owner -> @12, MX, IN, TTL 7200, RDLENGTH 22
        0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x1C, 0x20, 0x00, 0x16,
        // @62 preference 20; @64 exchange backup.example.net. uncompressed
        0x00, 0x14, 6, (byte)'b', (byte)'a', (byte)'c', (byte)'k', (byte)'u', (byte)'p',
        7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'n', (byte)'e', (byte)'t', 0,
        // @84 answer 3: owner "alias" -> @12, CNAME, IN, TTL 60, RDLENGTH 2
        5, (byte)'a', (byte)'l', (byte)'i', (byte)'a', (byte)'s', 0xC0, 0x0C,
        0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x02,
        // @102 target -> @43 (mail.example.com.)
        0xC0, 0x2B,
        // @104 authority: owner -> @12, SOA, IN, TTL 900, RDLENGTH 39
        0xC0, 0x0C, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x03, 0x84, 0x00, 0x27,
        // @116 MNAME "ns1" -> @12; @122 RNAME "hostmaster" -> @12
        3, (byte)'n', (byte)'s', (byte)'1', 0xC0, 0x0C,
        10, (byte)'h', (byte)'o', (byte)'s', (byte)'t', (byte)'m', (byte)'a', (byte)'s', (byte)'t', (byte)'e', (byte)'r', 0xC0, 0x0C,
        // @135 SERIAL 2026112601, REFRESH 7200, RETRY 3600, EXPIRE 1209600, MINIMUM 300
        0x78, 0xC4, 0x06, 0x59, 0x00, 0x00, 0x1C, 0x20, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x12, 0x75, 0x00, 0x00, 0x00, 0x01, 0x2C,
        // @155 additional 1: owner -> @43, A, IN, TTL 3600, RDLENGTH 4, 192.0.2.25
        0xC0, 0x2B, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x04, 192, 0, 2, 25,
        // @171 additional 2: owner -> @43, AAAA, IN, TTL 3600, RDLENGTH 16, 2001:db8::25
        0xC0, 0x2B, 0x00, 0x1C, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x10,
        0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x25,
        // @199 additional 3: OPT, root owner, payload 4096, ext-RCODE 0, version 0, DO, RDLENGTH 0
        0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
        // @210 end
    ];

    /// <summary>The five MX records of gmail.com. with compression and an OPT record, as a recursive resolver sends them.</summary>
    public static byte[] GmailMx() =>
    [
        // @0 header: ID 0x4D58, flags 0x8180 (QR, RD, RA), QD 1, AN 5, NS 0, AR 1
        0x4D, 0x58, 0x81, 0x80, 0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01,
        // @12 question: gmail.com. ("com" at @18), MX, IN
        5, (byte)'g', (byte)'m', (byte)'a', (byte)'i', (byte)'l', 3, (byte)'c', (byte)'o', (byte)'m', 0, 0x00, 0x0F, 0x00, 0x01,
        // @27 answer: owner -> @12, MX, IN, TTL 3600, RDLENGTH 27, preference 5,
        // @41 gmail-smtp-in.l.google + -> @18
        0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x1B, 0x00, 0x05,
        13, (byte)'g', (byte)'m', (byte)'a', (byte)'i', (byte)'l', (byte)'-', (byte)'s', (byte)'m', (byte)'t', (byte)'p', (byte)'-', (byte)'i', (byte)'n',
        1, (byte)'l', 6, (byte)'g', (byte)'o', (byte)'o', (byte)'g', (byte)'l', (byte)'e', 0xC0, 0x12,
        // answers 2-5: owner -> @12, MX, IN, TTL 3600 (the 5th: 300), RDLENGTH 9, preference, altN + -> @41
        0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x09, 0x00, 10, 4, (byte)'a', (byte)'l', (byte)'t', (byte)'1', 0xC0, 0x29,
        0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x09, 0x00, 20, 4, (byte)'a', (byte)'l', (byte)'t', (byte)'2', 0xC0, 0x29,
        0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x0E, 0x10, 0x00, 0x09, 0x00, 30, 4, (byte)'a', (byte)'l', (byte)'t', (byte)'3', 0xC0, 0x29,
        0xC0, 0x0C, 0x00, 0x0F, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2C, 0x00, 0x09, 0x00, 40, 4, (byte)'a', (byte)'l', (byte)'t', (byte)'4', 0xC0, 0x29,
        // additional: OPT, root owner, payload 1232, TTL 0, RDLENGTH 0
        0x00, 0x00, 0x29, 0x04, 0xD0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
}
