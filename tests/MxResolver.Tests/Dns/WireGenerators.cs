using System.Net;
using FsCheck;
using FsCheck.Fluent;
using MxResolver.Dns;
using MxResolver.Lookup;

namespace MxResolver.Tests.Dns;

/// <summary>FsCheck generators of names, records and whole messages for the test-side encoder.</summary>
internal static class WireGenerators
{
    private static readonly byte[] HostBytes = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"u8.ToArray();

    // Types decoded into typed records when the class is IN; anything else stays opaque.
    private static readonly HashSet<int> TypedTypes = [1, 5, 6, 15, 16, 28, 52];

    /// <summary>A host-name-like label in mixed case, usually short, sometimes up to 63 octets.</summary>
    public static Gen<byte[]> HostLabel { get; } =
        Gen.Frequency(
            (8, Gen.Choose(1, 12)),
            (1, Gen.Choose(13, 63)))
        .SelectMany(length => Gen.ArrayOf(Gen.Elements(HostBytes), length));

    /// <summary>Any label: every byte value, including '.', '\' and non-printable bytes.</summary>
    public static Gen<byte[]> AnyLabel { get; } =
        Gen.Choose(1, 63).SelectMany(length => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length));

    /// <summary>A name of zero (the root) to six labels, at most 255 octets on the wire.</summary>
    public static Gen<WireName> Name { get; } =
        Gen.Choose(0, 6)
            .SelectMany(count => Gen.ArrayOf(Gen.Frequency((9, HostLabel), (1, AnyLabel)), count))
            .Select(labels => new WireName(FitTo255(labels)));

    /// <summary>A name drawn from <paramref name="pool"/> (so suffixes repeat and compress), a subdomain of one, or a fresh one.</summary>
    public static Gen<WireName> NameFrom(WireName[] pool) =>
        Gen.Frequency(
            (4, Gen.Elements(pool)),
            (4, Gen.Zip(Gen.Elements(pool), HostLabel).Select(p => new WireName(FitTo255([p.Item2, .. p.Item1.Labels])))),
            (1, Name));

    public static Gen<uint> Ttl { get; } =
        Gen.Frequency(
            (6, Gen.Choose(0, 86_400).Select(t => (uint)t)),
            (1, Gen.Choose(0, int.MaxValue).Select(t => (uint)t | 0x8000_0000)));

    private static Gen<uint> AnyUInt { get; } =
        Gen.Zip(Gen.Choose(0, 0xFFFF), Gen.Choose(0, 0xFFFF)).Select(p => ((uint)p.Item1 << 16) | (uint)p.Item2);

    private static Gen<ushort> AnyUShort { get; } = Gen.Choose(0, 0xFFFF).Select(v => (ushort)v);

    private static Gen<byte[]> Bytes(int min, int max) =>
        Gen.Choose(min, max).SelectMany(length => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), length));

    /// <summary>A record of any interpreted type (class IN) or an opaque one, owned by a name from the pool.</summary>
    public static Gen<WireRecord> Record(WireName[] pool)
    {
        Gen<WireName> name = NameFrom(pool);
        Gen<WireData> mx = Gen.Zip(AnyUShort, name).Select(p => (WireData)new MxData(p.Item1, p.Item2));
        Gen<WireData> cname = name.Select(n => (WireData)new CnameData(n));
        Gen<WireData> soa =
            from m in name
            from r in name
            from serial in AnyUInt
            from refresh in AnyUInt
            from retry in AnyUInt
            from expire in AnyUInt
            from minimum in AnyUInt
            select (WireData)new SoaData(m, r, serial, refresh, retry, expire, minimum);
        Gen<(ushort Type, ushort Class, WireData Data)> typed = Gen.OneOf(
            mx.Select(d => ((ushort)15, (ushort)1, d)),
            cname.Select(d => ((ushort)5, (ushort)1, d)),
            soa.Select(d => ((ushort)6, (ushort)1, d)),
            Bytes(4, 4).Select(b => ((ushort)1, (ushort)1, (WireData)new RawData(b))),
            Bytes(16, 16).Select(b => ((ushort)28, (ushort)1, (WireData)new RawData(b))),
            Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(Bytes(0, 40), n)).Select(strings => ((ushort)16, (ushort)1, (WireData)new RawData(FrameTxt(strings)))),
            Bytes(3, 40).Select(b => ((ushort)52, (ushort)1, (WireData)new RawData(b))));
        Gen<(ushort Type, ushort Class, WireData Data)> opaque =
            from type in AnyUShort
            from recordClass in Gen.Frequency((3, Gen.Constant((ushort)1)), (1, AnyUShort))
            where type != 41 && !(recordClass == 1 && TypedTypes.Contains(type))
            from data in Bytes(0, 40)
            select (type, recordClass, (WireData)new RawData(data));

        return from owner in name
               from body in Gen.Frequency((3, typed), (1, opaque))
               from ttl in Ttl
               select new WireRecord(owner, body.Type, body.Class, ttl, body.Data);
    }

    /// <summary>
    /// A whole response: random header word, zero or one question, up to six answers, three
    /// authorities and four additionals, an OPT record or not, compression on or off.
    /// </summary>
    public static Gen<WireFixture> Message { get; } =
        from pool in Gen.ArrayOf(Name, 3).Where(p => p.Length > 0)
        from id in AnyUShort
        from flags in AnyUShort
        from compress in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        from questions in Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(
            from name in NameFrom(pool)
            from type in AnyUShort
            from recordClass in AnyUShort
            select new WireQuestion(name, type, recordClass),
            n == 0 ? 0 : 1))
        from answers in Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(Record(pool), n))
        from authorities in Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(Record(pool), n))
        from additionals in Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Record(pool), n))
        from opt in Gen.Frequency<WireRecord?>(
            (1, Gen.Constant<WireRecord?>(null)),
            (2, from payload in AnyUShort
                from extended in Gen.Choose(0, 255)
                from version in Gen.Choose(0, 255)
                select (WireRecord?)WireRecord.Opt(payload, (byte)extended, (byte)version, dnssecOk: (version & 1) == 0)))
        from optAt in Gen.Choose(0, additionals.Length)
        select Assemble(id, flags, compress, questions, answers, authorities, additionals, opt, optAt);

    /// <summary>A valid message's bytes after one to four mutations: overwritten bytes, pointer bytes, a cut, an inserted byte.</summary>
    public static Gen<byte[]> MutatedMessage { get; } =
        from fixture in Message
        from mutated in Mutations(fixture.Build())
        select mutated;

    /// <summary><paramref name="message"/> after one to four mutations (see <see cref="MutatedMessage"/>).</summary>
    public static Gen<byte[]> Mutations(byte[] message) =>
        from edits in Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(
            from kind in Gen.Choose(0, 3)
            from position in Gen.Choose(0, 1 << 16)
            from value in Gen.Choose(0, 255)
            select (kind, position, value),
            n))
        select Mutate(message, edits);

    /// <summary>Random bytes: sometimes pure noise, sometimes behind a header with small plausible counts.</summary>
    public static Gen<byte[]> ArbitraryBytes { get; } =
        Gen.Frequency(
            (1, Bytes(0, 64)),
            (2, from counts in Gen.ArrayOf(Gen.Choose(0, 3), 4)
                from header in Bytes(4, 4)
                from body in Bytes(0, 200)
                select (byte[])[header[0], header[1], header[2], header[3], 0, (byte)counts[0], 0, (byte)counts[1], 0, (byte)counts[2], 0, (byte)counts[3], .. body]));

    /// <summary>
    /// A message whose question name (segment 0, at offset 12) starts a pointer chain that must
    /// revisit a segment: every segment is a few labels ending in a pointer to some segment
    /// (itself, an earlier or a later one), so no chain ever reaches a root label.
    /// </summary>
    public static Gen<(byte[] Message, int NameOffset)> PointerLoop { get; } =
        from count in Gen.Choose(1, 6)
        from labels in Gen.ArrayOf(Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(HostLabel.Select(l => l.Length > 8 ? l[..8] : l), n)), count)
        from next in Gen.ArrayOf(Gen.Choose(0, count - 1), count)
        select BuildLoop(labels, next);

    /// <summary>Runs every decoder of the codec over <paramref name="message"/>; only <see cref="DnsFormatException"/> may escape.</summary>
    public static void WalkEverything(byte[] message)
    {
        var reader = new DnsMessageReader(message);
        while (reader.TryReadQuestion(out DnsQuestionView question))
        {
            _ = DnsName.Read(message, question.NameOffset);
        }

        while (reader.TryReadRecord(out DnsRecordView record))
        {
            _ = DnsName.Read(message, record.NameOffset);
            switch (record.Type)
            {
                case DnsRecordType.MX:
                    _ = DnsName.Read(message, DnsRecordData.ReadMx(message, record, out _));
                    break;
                case DnsRecordType.CNAME:
                    _ = DnsName.Read(message, DnsRecordData.ReadCname(message, record));
                    break;
                case DnsRecordType.SOA:
                    DnsRecordData.SoaFields soa = DnsRecordData.ReadSoa(message, record);
                    _ = DnsName.EqualsWire(message, soa.PrimaryNameServerOffset, soa.ResponsibleMailboxOffset);
                    break;
                case DnsRecordType.A or DnsRecordType.AAAA:
                    _ = DnsRecordData.ReadAddress(message, record);
                    break;
            }
        }

        _ = reader.ResponseCode;
    }

    /// <summary>Looks the message up the way MX resolution does, for each type resolution asks.</summary>
    public static void ReadAnswers(byte[] message, string name)
    {
        _ = DnsAnswerReader.Read(message, name, DnsRecordType.MX);
        _ = DnsAnswerReader.Read(message, name, DnsRecordType.A);
        _ = DnsAnswerReader.Read(message, name, DnsRecordType.AAAA);
        _ = DnsAnswerReader.ReadMx(message, name);
    }

    /// <summary>Runs <paramref name="action"/>; a <see cref="DnsFormatException"/> is an accepted outcome, anything else propagates.</summary>
    public static void OnlyFormatErrors(Action action)
    {
        try
        {
            action();
        }
        catch (DnsFormatException)
        {
        }
    }

    /// <summary>Asserts that <paramref name="response"/> holds exactly what <paramref name="fixture"/> encoded.</summary>
    public static void AssertParsedAs(WireFixture fixture, DnsResponse response)
    {
        WireRecord? opt = fixture.Additionals.FirstOrDefault(r => r.Type == 41);
        int extended = opt is null ? 0 : (int)(opt.Ttl >> 24);
        Assert.Equal(fixture.Id, response.Id);
        Assert.Equal((extended << 4) | (fixture.Flags & 0xF), (int)response.ResponseCode);
        Assert.Equal((fixture.Flags & 0x0400) != 0, response.IsAuthoritative);
        Assert.Equal((fixture.Flags & 0x0200) != 0, response.IsTruncated);
        Assert.Equal((fixture.Flags & 0x0100) != 0, response.RecursionDesired);
        Assert.Equal((fixture.Flags & 0x0080) != 0, response.RecursionAvailable);
        Assert.Equal((fixture.Flags & 0x0020) != 0, response.AuthenticData);
        Assert.Equal((fixture.Flags & 0x0010) != 0, response.CheckingDisabled);
        Assert.Equal(opt is null ? null : (ushort?)opt.Class, response.EdnsUdpPayloadSize);

        if (fixture.Questions.Count == 0)
        {
            Assert.Null(response.Question);
        }
        else
        {
            Assert.NotNull(response.Question);
            Assert.Equal(fixture.Questions[0].Name.ToPresentation(), response.Question.Name);
            Assert.Equal(fixture.Questions[0].Type, (ushort)response.Question.Type);
            Assert.Equal(fixture.Questions[0].Class, (ushort)response.Question.Class);
        }

        AssertRecords(fixture.Answers, response.Answers);
        AssertRecords(fixture.Authorities, response.Authorities);
        AssertRecords(fixture.Additionals.Where(r => r.Type != 41).ToList(), response.Additionals);
    }

    private static void AssertRecords(List<WireRecord> expected, IReadOnlyList<DnsRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            WireRecord e = expected[i];
            DnsRecord a = actual[i];
            Assert.Equal(e.Owner.ToPresentation(), a.Name);
            Assert.Equal(e.Type, (ushort)a.Type);
            Assert.Equal(e.Class, (ushort)a.Class);
            Assert.Equal((e.Ttl & 0x8000_0000) != 0 ? 0 : e.Ttl, a.TimeToLive); // RFC 2181 §8
            switch (e.Data)
            {
                case MxData mx:
                    var mxRecord = Assert.IsType<MxRecord>(a);
                    Assert.Equal(mx.Preference, mxRecord.Preference);
                    Assert.Equal(mx.Exchange.ToPresentation(), mxRecord.Exchange);
                    break;
                case CnameData cname:
                    Assert.Equal(cname.Target.ToPresentation(), Assert.IsType<CnameRecord>(a).CanonicalName);
                    break;
                case SoaData soa:
                    var soaRecord = Assert.IsType<SoaRecord>(a);
                    Assert.Equal(soa.PrimaryNameServer.ToPresentation(), soaRecord.PrimaryNameServer);
                    Assert.Equal(soa.ResponsibleMailbox.ToPresentation(), soaRecord.ResponsibleMailbox);
                    Assert.Equal(
                        (soa.Serial, soa.Refresh, soa.Retry, soa.Expire, soa.Minimum),
                        (soaRecord.Serial, soaRecord.Refresh, soaRecord.Retry, soaRecord.Expire, soaRecord.Minimum));
                    break;
                case RawData raw when e.Class == 1 && e.Type is 1 or 28:
                    Assert.Equal(new IPAddress(raw.Bytes), Assert.IsType<AddressRecord>(a).Address);
                    break;
                case RawData raw when e.Class == 1 && e.Type == 16:
                    Assert.Equal(raw.Bytes, FrameTxt(Assert.IsType<TxtRecord>(a).Strings.Select(m => m.ToArray())));
                    break;
                case RawData raw when e.Class == 1 && e.Type == 52:
                    var tlsa = Assert.IsType<TlsaRecord>(a);
                    Assert.Equal(raw.Bytes, (byte[])[tlsa.CertificateUsage, tlsa.Selector, tlsa.MatchingType, .. tlsa.CertificateAssociationData.ToArray()]);
                    break;
                case RawData raw:
                    Assert.Equal(raw.Bytes, Assert.IsType<OpaqueRecord>(a).Data.ToArray());
                    break;
            }
        }
    }

    /// <summary>TXT RDATA (RFC 1035 §3.3.14): each string after its length octet.</summary>
    public static byte[] FrameTxt(IEnumerable<byte[]> strings)
    {
        var rdata = new List<byte>();
        foreach (byte[] s in strings)
        {
            rdata.Add((byte)s.Length);
            rdata.AddRange(s);
        }

        return [.. rdata];
    }

    private static IReadOnlyList<byte[]> FitTo255(IReadOnlyList<byte[]> labels)
    {
        var kept = new List<byte[]>();
        int length = 1;
        foreach (byte[] label in labels)
        {
            if (length + label.Length + 1 > 255)
            {
                break;
            }

            kept.Add(label);
            length += label.Length + 1;
        }

        return kept;
    }

    private static WireFixture Assemble(ushort id, ushort flags, bool compress, WireQuestion[] questions, WireRecord[] answers, WireRecord[] authorities, WireRecord[] additionals, WireRecord? opt, int optAt)
    {
        var fixture = new WireFixture { Id = id, Flags = flags, Compress = compress };
        fixture.Questions.AddRange(questions);
        fixture.Answers.AddRange(answers);
        fixture.Authorities.AddRange(authorities);
        fixture.Additionals.AddRange(additionals);
        if (opt is not null)
        {
            fixture.Additionals.Insert(optAt, opt);
        }

        return fixture;
    }

    private static byte[] Mutate(byte[] message, (int Kind, int Position, int Value)[] edits)
    {
        var bytes = new List<byte>(message);
        foreach ((int kind, int position, int value) in edits)
        {
            if (bytes.Count == 0)
            {
                break;
            }

            int at = position % bytes.Count;
            switch (kind)
            {
                case 0: // any byte value
                    bytes[at] = (byte)value;
                    break;
                case 1: // a compression pointer's first byte, or a reserved label type (0x40..0xFF)
                    bytes[at] = (byte)(0x40 | value);
                    break;
                case 2: // cut the message
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default: // insert a byte, shifting everything after it
                    bytes.Insert(at, (byte)value);
                    break;
            }
        }

        return [.. bytes];
    }

    private static (byte[] Message, int NameOffset) BuildLoop(byte[][][] labels, int[] next)
    {
        // Header with QDCOUNT 1 so the loop is also reachable as the question name.
        var bytes = new List<byte> { 0, 0, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0 };
        var offsets = new int[labels.Length];
        var pointerAt = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            offsets[i] = bytes.Count;
            foreach (byte[] label in labels[i])
            {
                bytes.Add((byte)label.Length);
                bytes.AddRange(label);
            }

            pointerAt[i] = bytes.Count;
            bytes.Add(0xC0);
            bytes.Add(0);
        }

        for (int i = 0; i < labels.Length; i++)
        {
            bytes[pointerAt[i]] = (byte)(0xC0 | (offsets[next[i]] >> 8));
            bytes[pointerAt[i] + 1] = (byte)offsets[next[i]];
        }

        // The question name is segment 0; QTYPE and QCLASS follow the last segment.
        return ([.. bytes, 0, 15, 0, 1], offsets[0]);
    }
}
