using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MxResolver.Dns;

namespace MxResolver.Tests.Dns;

public class DnsNameTests
{
    /// <summary>
    /// RFC 1035 §4.1.4's example, at the RFC's offsets: F.ISI.ARPA at 20, FOO.F.ISI.ARPA at 40
    /// (FOO then a pointer to 20), ARPA at 64 (a pointer to 26) and the root at 92.
    /// </summary>
    private static byte[] Rfc1035Example()
    {
        var message = new byte[93];
        byte[] fIsiArpa = [1, (byte)'F', 3, (byte)'I', (byte)'S', (byte)'I', 4, (byte)'A', (byte)'R', (byte)'P', (byte)'A', 0];
        fIsiArpa.CopyTo(message, 20);
        byte[] fooPointer = [3, (byte)'F', (byte)'O', (byte)'O', 0xC0, 20];
        fooPointer.CopyTo(message, 40);
        message[64] = 0xC0; // pointer to the "ARPA" label at 26
        message[65] = 26;
        message[92] = 0;    // the root
        return message;
    }

    [Fact]
    public void Read_Rfc1035CompressionExample_DecodesEveryName()
    {
        byte[] message = Rfc1035Example();

        Assert.Equal("F.ISI.ARPA.", DnsName.Read(message, 20, out int end20));
        Assert.Equal(32, end20);
        Assert.Equal("FOO.F.ISI.ARPA.", DnsName.Read(message, 40, out int end40));
        Assert.Equal(46, end40); // the name ends after the pointer, not after what it points to
        Assert.Equal("ARPA.", DnsName.Read(message, 64, out int end64));
        Assert.Equal(66, end64);
        Assert.Equal(".", DnsName.Read(message, 92, out int end92));
        Assert.Equal(93, end92);
    }

    [Fact]
    public void Skip_Rfc1035CompressionExample_ReturnsOffsetAfterEachName()
    {
        byte[] message = Rfc1035Example();

        Assert.Equal(32, DnsName.Skip(message, 20));
        Assert.Equal(46, DnsName.Skip(message, 40));
        Assert.Equal(66, DnsName.Skip(message, 64));
        Assert.Equal(93, DnsName.Skip(message, 92));
    }

    [Fact]
    public void Read_WithMemo_ReusesEarlierNameAndMatchesPlainRead()
    {
        // @0 mail.example.com. ; @18 alt + pointer to @0 ; @24 x + pointer to @5 ("example.com.")
        // @28 "a.b" (a dot inside the label) + pointer to @0 ; @34 pointer to @13 ("com.")
        byte[] message =
        [
            4, (byte)'m', (byte)'a', (byte)'i', (byte)'l', 7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0,
            3, (byte)'a', (byte)'l', (byte)'t', 0xC0, 0,
            1, (byte)'x', 0xC0, 5,
            3, (byte)'a', (byte)'.', (byte)'b', 0xC0, 0,
            0xC0, 13,
        ];
        DnsName.NameMemo memo = default;

        Assert.Equal("mail.example.com.", DnsName.Read(message, 0, out int end, ref memo));
        Assert.Equal(18, end);
        Assert.Equal("mail.example.com.", memo.Text);
        Assert.Equal("alt.mail.example.com.", DnsName.Read(message, 18, out end, ref memo));
        Assert.Equal(24, end);
        Assert.Equal("x.example.com.", DnsName.Read(message, 24, out end, ref memo));
        Assert.Equal(28, end);
        Assert.Equal(@"a\.b.mail.example.com.", DnsName.Read(message, 28, out end, ref memo));
        Assert.Equal(34, end);
        Assert.Equal("com.", DnsName.Read(message, 34, out end, ref memo));
        Assert.Equal(36, end);
        Assert.Equal("mail.example.com.", memo.Text); // names finished from the memo do not replace it
    }

    [Fact]
    public void Read_WithMemo_NameOver255OctetsThroughTheMemo_ThrowsFormatException()
    {
        // @0 a 202-octet name; @202 a 60-octet label + pointer to @0: 61 + 202 = 263 octets.
        var bytes = new List<byte>(Uncompressed(63, 63, 63, 8));
        bytes.Add(60);
        bytes.AddRange(Enumerable.Repeat((byte)'y', 60));
        bytes.Add(0xC0);
        bytes.Add(0);
        byte[] message = [.. bytes];
        DnsName.NameMemo memo = default;

        Assert.Equal(201, DnsName.Read(message, 0, out _, ref memo).Length);
        Assert.NotNull(memo.Text);
        Assert.Throws<DnsFormatException>(() => DnsName.Read(message, 202, out _, ref memo));
    }

    [Fact]
    public void Read_WithMemo_AgreesWithReadWithoutOnRandomMessages()
    {
        // Random messages of small labels, pointers (often into the middle of earlier labels),
        // bytes that need escaping and reserved label types; every offset is read in order with
        // one shared memo and must decode (or fail) exactly as a read without it.
        var random = new Random(20261126);
        byte[] alphabet = [0, 1, 2, 3, 4, 0xC0, 0xC0, 0xC0, (byte)'a', (byte)'B', (byte)'-', (byte)'.', (byte)'\\', 0x80, 0x20, 0x45];
        for (int round = 0; round < 3000; round++)
        {
            var message = new byte[random.Next(1, 80)];
            for (int i = 0; i < message.Length; i++)
            {
                byte b = alphabet[random.Next(alphabet.Length)];
                message[i] = b == 0xC0 && i + 1 < message.Length ? (byte)0xC0 : b;
                if (b == 0xC0 && i + 1 < message.Length)
                {
                    message[++i] = (byte)random.Next(0, i);
                }
            }

            DnsName.NameMemo memo = default;
            for (int offset = 0; offset < message.Length; offset++)
            {
                string? expected;
                int expectedEnd = -1;
                try
                {
                    expected = DnsName.Read(message, offset, out expectedEnd);
                }
                catch (DnsFormatException)
                {
                    expected = null;
                }

                if (expected is null)
                {
                    Assert.Throws<DnsFormatException>(() => DnsName.Read(message, offset, out _, ref memo));
                    continue;
                }

                Assert.Equal(expected, DnsName.Read(message, offset, out int end, ref memo));
                Assert.Equal(expectedEnd, end);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(16)]
    [InlineData(63)]
    public void Read_WithMemo_OneLabelThenPointerToTheMemo_EveryOctetAtEveryPlaceMatchesReadWithout(int labelLength)
    {
        // The shape the memo serves most ("alt1" + a pointer to the first exchange) is decoded
        // without the general walk: it must show every octet exactly as the general walk does.
        byte[] first = [4, (byte)'m', (byte)'a', (byte)'i', (byte)'l', 3, (byte)'c', (byte)'o', (byte)'m', 0];
        for (int value = 0; value < 256; value++)
        {
            for (int place = 0; place < labelLength; place++)
            {
                byte[] label = Enumerable.Repeat((byte)'x', labelLength).ToArray();
                label[place] = (byte)value;
                byte[] message = [.. first, (byte)labelLength, .. label, 0xC0, 0];
                int offset = first.Length;
                DnsName.NameMemo memo = default;
                Assert.Equal("mail.com.", DnsName.Read(message, 0, out _, ref memo));

                string text = DnsName.Read(message, offset, out int end, ref memo);

                Assert.Equal(Presentation(label) + ".mail.com.", text);
                Assert.Equal(DnsName.Read(message, offset), text);
                Assert.Equal(message.Length, end);
            }
        }
    }

    [Fact]
    public void Read_WithMemo_RootBeforeAPointerByte_IsTheRoot()
    {
        // A root octet followed by what looks like a pointer to the remembered name is the root name.
        byte[] message = [4, (byte)'m', (byte)'a', (byte)'i', (byte)'l', 0, 0, 0xC0, 0];
        DnsName.NameMemo memo = default;
        DnsName.Read(message, 0, out _, ref memo);

        Assert.Equal(".", DnsName.Read(message, 6, out int end, ref memo));
        Assert.Equal(7, end);
    }

    [Theory]
    [InlineData(125, true)]
    [InlineData(126, false)]
    public void Read_WithMemo_OneLabelThenPointerToTheMemo_CountsTheMemosPointers(int chainLength, bool decodes)
    {
        // @0 the root, a chain of pointers, then "mx" + a pointer to the chain's end (the memo,
        // following chainLength + 1 pointers), then "a" + a pointer to "mx": one pointer more.
        var bytes = new List<byte>(PointerChain(chainLength, out int chainEnd));
        int remembered = bytes.Count;
        bytes.AddRange([2, (byte)'m', (byte)'x', (byte)(0xC0 | (chainEnd >> 8)), (byte)chainEnd]);
        int alias = bytes.Count;
        bytes.AddRange([1, (byte)'a', (byte)(0xC0 | (remembered >> 8)), (byte)remembered]);
        byte[] message = [.. bytes];
        DnsName.NameMemo memo = default;
        Assert.Equal("mx.", DnsName.Read(message, remembered, out _, ref memo));
        Assert.Equal(chainLength + 1, memo.Jumps);

        if (decodes)
        {
            Assert.Equal("a.mx.", DnsName.Read(message, alias, out int end, ref memo));
            Assert.Equal(message.Length, end);
            Assert.Equal("a.mx.", DnsName.Read(message, alias));
        }
        else
        {
            Assert.Throws<DnsFormatException>(() => DnsName.Read(message, alias, out _, ref memo));
            Assert.Throws<DnsFormatException>(() => DnsName.Read(message, alias));
        }
    }

    [Fact]
    public void Read_RootName_ReturnsDot()
    {
        Assert.Equal(".", DnsName.Read([0x00], 0));
    }

    [Fact]
    public void Read_LabelsWithDotsBackslashesAndBinary_EscapesThem()
    {
        // One label: 'a' '.' 'b' '\' ' ' 0x00 0x7F 0xFF, then "com".
        byte[] message = [8, (byte)'a', (byte)'.', (byte)'b', (byte)'\\', 0x20, 0x00, 0x7F, 0xFF, 3, (byte)'c', (byte)'o', (byte)'m', 0];

        Assert.Equal(@"a\.b\\\032\000\127\255.com.", DnsName.Read(message, 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(16)]
    [InlineData(23)]
    public void Read_EveryOctetAtEveryPlaceOfALabel_ShowsInPresentationFormat(int labelLength)
    {
        // Labels are widened eight octets at a time, and a block may read past the label: the root
        // octet and the 0xFF bytes after it must never make a plain label look as if it needed escapes.
        for (int value = 0; value < 256; value++)
        {
            for (int place = 0; place < labelLength; place++)
            {
                byte[] label = Enumerable.Repeat((byte)'x', labelLength).ToArray();
                label[place] = (byte)value;
                byte[] message = [(byte)labelLength, .. label, 0, .. Enumerable.Repeat((byte)0xFF, 16)];

                Assert.Equal(Presentation(label) + ".", DnsName.Read(message, 0, out int end));
                Assert.Equal(labelLength + 2, end);
            }
        }
    }

    /// <summary>RFC 1035 §5.1 presentation of one label, written independently of the decoder.</summary>
    private static string Presentation(byte[] label) => string.Concat(label.Select(b => b switch
    {
        (byte)'.' or (byte)'\\' => "\\" + (char)b,
        >= 0x21 and <= 0x7E => ((char)b).ToString(),
        _ => "\\" + b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture),
    }));

    [Theory]
    [InlineData(new byte[] { 3, (byte)'a', (byte)'.', (byte)'b', 0 }, @"a\.b.")]
    [InlineData(new byte[] { 3, (byte)'a', (byte)'\\', (byte)'b', 0 }, @"a\\b.")]
    [InlineData(new byte[] { 1, (byte)'.', 0 }, @"\..")]
    [InlineData(new byte[] { 2, (byte)'a', 0x80, 0 }, @"a\128.")]
    public void Read_SingleByteNeedingEscape_EscapesOnlyIt(byte[] message, string expected)
    {
        Assert.Equal(expected, DnsName.Read(message, 0, out int end));
        Assert.Equal(message.Length, end);
    }

    [Fact]
    public void FirstLabelOffset_LeadingPointers_FollowsThemToTheFirstLabel()
    {
        byte[] message = Rfc1035Example();

        Assert.Equal(40, DnsName.FirstLabelOffset(message, 40)); // FOO starts right there
        Assert.Equal(26, DnsName.FirstLabelOffset(message, 64)); // the pointer to ARPA
        Assert.Equal(0, DnsName.FirstLabelOffset(PointerChain(5, out int start), start));
    }

    [Fact]
    public void FirstLabelOffset_ForwardOrCutPointer_ThrowsFormatException()
    {
        Assert.Throws<DnsFormatException>(() => DnsName.FirstLabelOffset([0xC0, 0x00], 0));
        Assert.Throws<DnsFormatException>(() => DnsName.FirstLabelOffset([0x00, 0xC0, 0x05, 0x00], 1));
        Assert.Throws<DnsFormatException>(() => DnsName.FirstLabelOffset([0x00, 0xC0], 1));
    }

    [Fact]
    public void Read_ForwardPointer_ThrowsFormatException()
    {
        // @0 pointer to @2, which holds a valid root label: forward, so rejected.
        byte[] message = [0xC0, 0x02, 0x00];

        var error = Assert.Throws<DnsFormatException>(() => DnsName.Read(message, 0));
        Assert.Contains("forward", error.Message);
    }

    [Fact]
    public void Read_SelfPointer_ThrowsFormatException()
    {
        byte[] message = [0x00, 0x00, 0xC0, 0x02];

        Assert.Throws<DnsFormatException>(() => DnsName.Read(message, 2));
    }

    [Fact]
    public void Read_PointerLoopThroughTwoNames_ThrowsFormatException()
    {
        // @0 "a" then pointer to @4; @4 "b" then pointer to @0: the first jump is forward.
        byte[] message = [1, (byte)'a', 0xC0, 0x04, 1, (byte)'b', 0xC0, 0x00];

        Assert.Throws<DnsFormatException>(() => DnsName.Read(message, 0));
        // Entered at @4 the first jump goes back to @0, whose pointer then goes forward again.
        Assert.Throws<DnsFormatException>(() => DnsName.Read(message, 4));
    }

    [Fact]
    public void Read_PointerIntoItsOwnLabels_ThrowsFormatException()
    {
        // @2 "a" then a pointer back to @2: backwards in the buffer but inside its own name.
        byte[] message = [0, 0, 1, (byte)'a', 0xC0, 0x02];

        Assert.Throws<DnsFormatException>(() => DnsName.Read(message, 2));
    }

    [Fact]
    public void Read_PointerPastTheEnd_ThrowsFormatException()
    {
        byte[] message = [0x00, 0xC0, 0xFF];

        Assert.Throws<DnsFormatException>(() => DnsName.Read(message, 1));
    }

    [Fact]
    public void Read_PointerCutOffAfterFirstByte_ThrowsFormatException()
    {
        byte[] message = [0x00, 0xC0];

        Assert.Throws<DnsFormatException>(() => DnsName.Read(message, 1));
    }

    [Fact]
    public void Read_LabelRunningPastTheEnd_ThrowsFormatException()
    {
        byte[] message = [5, (byte)'a', (byte)'b'];

        Assert.Throws<DnsFormatException>(() => DnsName.Read(message, 0));
    }

    [Fact]
    public void Read_NoRootLabelBeforeTheEnd_ThrowsFormatException()
    {
        byte[] message = [1, (byte)'a'];

        Assert.Throws<DnsFormatException>(() => DnsName.Read(message, 0));
    }

    [Fact]
    public void Read_OffsetOutsideMessage_ThrowsFormatException()
    {
        Assert.Throws<DnsFormatException>(() => DnsName.Read([0x00], 1));
        Assert.Throws<DnsFormatException>(() => DnsName.Read([0x00], -1));
        Assert.Throws<DnsFormatException>(() => DnsName.Read([], 0));
    }

    [Fact]
    public void Read_Exactly255Octets_Decodes()
    {
        // 63 + 63 + 63 + 61 label octets, four length octets and the root: 255.
        byte[] message = Uncompressed(63, 63, 63, 61);
        Assert.Equal(255, message.Length);

        Assert.Equal(4 + (63 * 3) + 61, DnsName.Read(message, 0).Length);
    }

    [Fact]
    public void Read_NameOver255Octets_ThrowsFormatException()
    {
        byte[] message = Uncompressed(63, 63, 63, 62);
        Assert.Equal(256, message.Length);

        var error = Assert.Throws<DnsFormatException>(() => DnsName.Read(message, 0));
        Assert.Contains("255", error.Message);
    }

    [Fact]
    public void Read_NameOver255OctetsThroughPointers_ThrowsFormatException()
    {
        // @0 a 63-octet label + root; each later name is a 63-octet label + pointer to the previous.
        // Every piece is short, but the fourth name expands to 4 * 64 + 1 = 257 octets.
        var bytes = new List<byte>();
        bytes.AddRange(Uncompressed(63));
        int previous = 0;
        for (int i = 0; i < 3; i++)
        {
            int start = bytes.Count;
            bytes.Add(63);
            bytes.AddRange(Enumerable.Repeat((byte)'x', 63));
            bytes.Add((byte)(0xC0 | (previous >> 8)));
            bytes.Add((byte)previous);
            previous = start;
        }

        Assert.Throws<DnsFormatException>(() => DnsName.Read([.. bytes], previous));
    }

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x80)]
    [InlineData(0x7F)]
    [InlineData(0xBF)]
    public void Read_ReservedLabelType_ThrowsFormatException(byte lengthOctet)
    {
        byte[] message = [lengthOctet, (byte)'a', 0];

        var error = Assert.Throws<DnsFormatException>(() => DnsName.Read(message, 0));
        Assert.Contains("label type", error.Message);
    }

    [Fact]
    public void Read_127BackwardPointers_Decodes()
    {
        Assert.Equal(".", DnsName.Read(PointerChain(127, out int start), start));
    }

    [Fact]
    public void Read_128BackwardPointers_ThrowsFormatException()
    {
        var error = Assert.Throws<DnsFormatException>(() => DnsName.Read(PointerChain(128, out int start), start));
        Assert.Contains("too many", error.Message);
    }

    [Fact]
    public void EqualsText_DifferentCaseWithOrWithoutTrailingDot_IsTrue()
    {
        byte[] message = Rfc1035Example();

        Assert.True(DnsName.EqualsText(message, 40, "foo.f.isi.arpa."));
        Assert.True(DnsName.EqualsText(message, 40, "Foo.F.Isi.Arpa"));
        Assert.True(DnsName.EqualsText(message, 92, "."));
    }

    [Theory]
    [InlineData("f.isi.arpa.")]
    [InlineData("foo.f.isi.arp.")]
    [InlineData("foo.f.isi.arpa.com.")]
    [InlineData("xfoo.f.isi.arpa.")]
    [InlineData("fo.f.isi.arpa.")]
    [InlineData("foo.f.isi.arpa..")]
    [InlineData("foo..f.isi.arpa.")]
    [InlineData("foo.fisi.arpa.")]
    [InlineData("")]
    [InlineData(".")]
    public void EqualsText_DifferentName_IsFalse(string name)
    {
        Assert.False(DnsName.EqualsText(Rfc1035Example(), 40, name));
    }

    [Fact]
    public void EqualsText_WireLabelHoldingADot_NeverEqualsTwoTextLabels()
    {
        // One label "a.b" (RFC 1035 §5.1 shows it as a\.b) against the two labels "a" and "b", and back.
        byte[] oneLabel = [3, (byte)'a', (byte)'.', (byte)'b', 0];
        byte[] twoLabels = [1, (byte)'a', 1, (byte)'b', 0];

        Assert.False(DnsName.EqualsText(oneLabel, 0, "a.b."));
        Assert.False(DnsName.EqualsText(oneLabel, 0, "a.b"));
        Assert.True(DnsName.EqualsText(twoLabels, 0, "A.b"));
        Assert.False(DnsName.EqualsText(twoLabels, 0, "ab"));
    }

    [Fact]
    public void EqualsText_MismatchThenMalformedTail_ThrowsFormatException()
    {
        // "a" then a forward pointer: the comparison fails on the first label, yet the name is still checked.
        byte[] message = [1, (byte)'a', 0xC0, 0x05, 0x00, 0x00];

        Assert.Throws<DnsFormatException>(() => DnsName.EqualsText(message, 0, "b."));
    }

    [Fact]
    public void EqualsWire_CompressedAndUncompressedInDifferentCase_IsTrue()
    {
        // @0 "MAIL.example.com" uncompressed; @18 "mail" + pointer to "example.com" at @5.
        byte[] message =
        [
            4, (byte)'M', (byte)'A', (byte)'I', (byte)'L', 7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0,
            4, (byte)'m', (byte)'a', (byte)'i', (byte)'l', 0xC0, 5,
        ];

        Assert.True(DnsName.EqualsWire(message, 0, 18));
        Assert.True(DnsName.EqualsWire(message, 18, 0));
        Assert.False(DnsName.EqualsWire(message, 0, 5));  // mail.example.com vs example.com
        Assert.False(DnsName.EqualsWire(message, 5, 18));
    }

    [Fact]
    public void EqualsWire_SameOffsetButMalformed_ThrowsFormatException()
    {
        Assert.Throws<DnsFormatException>(() => DnsName.EqualsWire([0xC0, 0x00], 0, 0));
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("example.com.")]
    public void Write_TrailingDotOptional_WritesSameBytes(string name)
    {
        var buffer = new byte[32];

        int length = DnsName.Write(buffer, name);

        byte[] expected = [7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0];
        Assert.Equal(expected, buffer[..length]);
        Assert.Equal(13, DnsName.GetWireLength(name));
    }

    [Fact]
    public void Write_Root_WritesSingleZeroOctet()
    {
        var buffer = new byte[4];

        Assert.Equal(1, DnsName.Write(buffer, "."));
        Assert.Equal(0, buffer[0]);
        Assert.Equal(1, DnsName.GetWireLength("."));
    }

    [Fact]
    public void Write_255OctetName_IsAccepted()
    {
        string name = Label(63) + "." + Label(63) + "." + Label(63) + "." + Label(61);
        var buffer = new byte[255];

        Assert.Equal(255, DnsName.Write(buffer, name));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a..b", "empty label")]
    [InlineData(".example.com", "empty label")]
    [InlineData("example.com..", "empty label")]
    [InlineData("ma\u00F1ana.example", "printable ASCII")]
    [InlineData("white space.example", "printable ASCII")]
    [InlineData("tab\t.example", "printable ASCII")]
    public void GetWireLength_InvalidName_ThrowsArgumentExceptionSayingWhy(string name, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => DnsName.GetWireLength(name));
        Assert.Contains(reason, error.Message);
        Assert.Throws<ArgumentException>(() => DnsName.Write(new byte[300], name));
    }

    [Theory]
    [InlineData("a\\001b.test.", new byte[] { 3, (byte)'a', 1, (byte)'b', 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t', 0 })]
    [InlineData("a\\.b.", new byte[] { 3, (byte)'a', (byte)'.', (byte)'b', 0 })]
    [InlineData("a\\\\", new byte[] { 2, (byte)'a', (byte)'\\', 0 })]
    [InlineData("\\000\\255\\097", new byte[] { 3, 0, 255, (byte)'a', 0 })]
    public void Write_PresentationEscapes_WriteTheOctetsTheyStandFor(string name, byte[] expected)
    {
        // RFC 1035 §5.1: \DDD is an octet, \X the character X; an escaped dot does not end a label.
        var buffer = new byte[64];

        int length = DnsName.Write(buffer, name);

        Assert.Equal(expected, buffer[..length]);
        Assert.Equal(expected.Length, DnsName.GetWireLength(name));
    }

    [Fact]
    public void Write_ReadBack_SameOctets()
    {
        byte[] wire = [5, (byte)'a', 1, (byte)'.', (byte)'\\', 0x7F, 2, (byte)'B', (byte)' ', 0];
        string text = DnsName.Read(wire, 0);
        var buffer = new byte[16];

        int length = DnsName.Write(buffer, text);

        Assert.Equal(wire, buffer[..length]);
        Assert.True(DnsName.EqualsText(wire, 0, text));
        Assert.True(DnsName.EqualsText(wire, 0, text.ToUpperInvariant()));
        Assert.False(DnsName.EqualsText(wire, 0, text.Replace("\\001", "\\002", StringComparison.Ordinal)));
    }

    [Fact]
    public void GetWireLength_63OctetsWrittenAs252Characters_IsOneLabel()
    {
        string label = string.Concat(Enumerable.Repeat("\\001", 63));

        Assert.Equal(1 + 63 + 8 + 1, DnsName.GetWireLength(label + ".example"));
        Assert.Contains("64 octets", Assert.Throws<ArgumentException>(() => DnsName.GetWireLength(label + "x.example")).Message);
    }

    [Theory]
    [InlineData("a\\")]
    [InlineData("a\\1.b")]
    [InlineData("a\\12")]
    [InlineData("a\\256.b")]
    public void GetWireLength_BackslashBeginningNoEscape_ThrowsArgumentException(string name)
    {
        Assert.Contains("escape", Assert.Throws<ArgumentException>(() => DnsName.GetWireLength(name)).Message);
    }

    [Fact]
    public void GetWireLength_64OctetLabel_ThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() => DnsName.GetWireLength(Label(64) + ".example"));
        Assert.Contains("63", error.Message);
        Assert.Equal(64 + 8 + 1, DnsName.GetWireLength(Label(63) + ".example"));
    }

    [Fact]
    public void GetWireLength_Over255Octets_ThrowsArgumentException()
    {
        string name = Label(63) + "." + Label(63) + "." + Label(63) + "." + Label(62);

        var error = Assert.Throws<ArgumentException>(() => DnsName.GetWireLength(name));
        Assert.Contains("255", error.Message);
    }

    [Fact]
    public void Write_DestinationTooSmall_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => DnsName.Write(new byte[12], "example.com"));
    }

    /// <summary>Host names of printable ASCII (no '.' or '\', which text input cannot carry) survive write → read.</summary>
    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property WriteThenRead_PrintableName_RoundTripsWithCaseAndComparesIgnoringCase()
    {
        char[] printable = Enumerable.Range(0x21, 0x7E - 0x20).Select(c => (char)c).Where(c => c is not '.' and not '\\').ToArray();
        Gen<string> label = Gen.Frequency((6, Gen.Choose(1, 10)), (1, Gen.Choose(11, 63)))
            .SelectMany(n => Gen.ArrayOf(Gen.Elements(printable), n))
            .Select(chars => new string(chars));
        Gen<(string Name, bool TrailingDot)> names =
            from count in Gen.Choose(1, 5)
            from labels in Gen.ArrayOf(label, count)
            from trailingDot in Gen.Elements(true, false)
            let joined = string.Join('.', labels)
            where Encoding.ASCII.GetByteCount(joined) + labels.Length + 1 <= 255
            select (joined, trailingDot);

        return Prop.ForAll(names.ToArbitrary(), input =>
        {
            string text = input.TrailingDot ? input.Name + "." : input.Name;
            var buffer = new byte[DnsName.MaxWireLength];
            int length = DnsName.Write(buffer, text);
            byte[] wire = buffer[..length];

            Assert.Equal(DnsName.GetWireLength(text), length);
            Assert.Equal(input.Name + ".", DnsName.Read(wire, 0, out int end));
            Assert.Equal(length, end);
            Assert.Equal(length, DnsName.Skip(wire, 0));
            Assert.True(DnsName.EqualsText(wire, 0, input.Name.ToUpperInvariant()));
            Assert.True(DnsName.EqualsText(wire, 0, input.Name.ToLowerInvariant() + "."));
            Assert.False(DnsName.EqualsText(wire, 0, "x" + input.Name));
        });
    }

    /// <summary>Chains of segments whose pointers always lead back to a segment never end in a root label: each must fail, never hang.</summary>
    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property Read_PointerLoopOfAnyShape_ThrowsFormatException()
    {
        return Prop.ForAll(WireGenerators.PointerLoop.ToArbitrary(), loop =>
        {
            Assert.Throws<DnsFormatException>(() => DnsName.Read(loop.Message, loop.NameOffset));
            Assert.Throws<DnsFormatException>(() => DnsName.Skip(loop.Message, loop.NameOffset));
            Assert.Throws<DnsFormatException>(() => DnsName.EqualsText(loop.Message, loop.NameOffset, "example.com."));
            Assert.Throws<DnsFormatException>(() => DnsName.EqualsWire(loop.Message, loop.NameOffset, loop.NameOffset));
            Assert.Throws<DnsFormatException>(() => new DnsMessageReader(loop.Message).TryReadQuestion(out _));
            Assert.Throws<DnsFormatException>(() => DnsResponse.Parse(loop.Message));
        });
    }

    private static string Label(int length) => new('a', length);

    private static byte[] Uncompressed(params int[] labelLengths)
    {
        var bytes = new List<byte>();
        foreach (int length in labelLengths)
        {
            bytes.Add((byte)length);
            bytes.AddRange(Enumerable.Repeat((byte)'a', length));
        }

        bytes.Add(0);
        return [.. bytes];
    }

    /// <summary>@0 the root; then <paramref name="jumps"/> pointers, each to the one before.</summary>
    private static byte[] PointerChain(int jumps, out int start)
    {
        var bytes = new List<byte> { 0 };
        int previous = 0;
        for (int i = 0; i < jumps; i++)
        {
            int at = bytes.Count;
            bytes.Add((byte)(0xC0 | (previous >> 8)));
            bytes.Add((byte)previous);
            previous = at;
        }

        start = previous;
        return [.. bytes];
    }
}
