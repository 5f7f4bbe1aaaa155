using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace MxResolver.Dns;

/// <summary>
/// Domain names on the wire (RFC 1035 §3.1, §4.1.4): writing with validation, reading with
/// decompression, and comparison without allocating.
/// </summary>
/// <remarks>
/// Names are presented fully qualified with a trailing dot (<c>mail.example.com.</c>); the root
/// is <c>.</c>. Label bytes that are not printable ASCII, and <c>.</c> or <c>\</c> inside a label,
/// are shown in the master-file escape form <c>\DDD</c> (RFC 1035 §5.1) so that no two distinct
/// wire names decode to the same text.
/// </remarks>
internal static class DnsName
{
    /// <summary>The longest name on the wire, length octets included (RFC 1035 §2.3.4).</summary>
    public const int MaxWireLength = 255;

    /// <summary>The longest label (RFC 1035 §2.3.4).</summary>
    public const int MaxLabelLength = 63;

    /// <summary>
    /// A bound on pointer jumps. Pointers must also go strictly backwards, which alone rules out
    /// loops; this cap bounds the work on adversarial chains of pointers.
    /// </summary>
    public const int MaxPointerJumps = 127;

    // Printable ASCII (RFC 1035 §5.1) except the escape character; '.' is allowed here because it
    // separates the gathered labels (a '.' inside a label is caught by counting the dots).
    private static readonly SearchValues<byte> PrintableExceptBackslash = SearchValues.Create(
        Enumerable.Range(0x21, 0x7E - 0x21 + 1).Where(b => b != '\\').Select(b => (byte)b).ToArray());

    // A decoded name is at most 255 wire octets; each octet becomes at most 4 characters (\DDD).
    private const int MaxPresentationLength = MaxWireLength * 4;

    /// <summary>Validates <paramref name="name"/> and returns its uncompressed wire length.</summary>
    /// <exception cref="ArgumentException">The name is empty, has an empty label, a label over 63 octets, a character outside printable ASCII, or is over 255 octets on the wire.</exception>
    public static int GetWireLength(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            throw new ArgumentException("A domain name cannot be empty; use \".\" for the root.", nameof(name));
        }

        if (name is ".")
        {
            return 1;
        }

        if (name[^1] == '.')
        {
            name = name[..^1];
        }

        int length = 1; // the root label
        while (true)
        {
            int dot = name.IndexOf('.');
            ReadOnlySpan<char> label = dot < 0 ? name : name[..dot];
            if (label.IsEmpty)
            {
                throw new ArgumentException($"The domain name '{name.ToString()}' has an empty label.", nameof(name));
            }

            if (label.Length > MaxLabelLength)
            {
                throw new ArgumentException($"The domain name '{name.ToString()}' has a label of {label.Length} octets; at most {MaxLabelLength} are allowed (RFC 1035 §2.3.4).", nameof(name));
            }

            foreach (char c in label)
            {
                if (c <= ' ' || c > '~')
                {
                    throw new ArgumentException($"The domain name '{name.ToString()}' contains a character outside printable ASCII; convert internationalized names to A-labels first.", nameof(name));
                }
            }

            length += label.Length + 1;
            if (length > MaxWireLength)
            {
                throw new ArgumentException($"The domain name '{name.ToString()}' is longer than {MaxWireLength} octets on the wire (RFC 1035 §2.3.4).", nameof(name));
            }

            if (dot < 0)
            {
                return length;
            }

            name = name[(dot + 1)..];
        }
    }

    /// <summary>Writes <paramref name="name"/> uncompressed and returns the number of bytes written.</summary>
    /// <exception cref="ArgumentException">The name is invalid (see <see cref="GetWireLength"/>) or <paramref name="destination"/> is too small.</exception>
    public static int Write(Span<byte> destination, ReadOnlySpan<char> name)
    {
        int length = GetWireLength(name);
        if (destination.Length < length)
        {
            throw new ArgumentException("The destination is too small for the name.", nameof(destination));
        }

        if (name[^1] == '.')
        {
            name = name[..^1];
        }

        int position = 0;
        while (!name.IsEmpty)
        {
            int dot = name.IndexOf('.');
            ReadOnlySpan<char> label = dot < 0 ? name : name[..dot];
            destination[position++] = (byte)label.Length;
            foreach (char c in label)
            {
                destination[position++] = (byte)c;
            }

            name = dot < 0 ? default : name[(dot + 1)..];
        }

        destination[position++] = 0;
        return position;
    }

    /// <summary>
    /// Validates the name at <paramref name="offset"/> (following pointers) and returns the offset
    /// of the first byte after it in the message, without allocating.
    /// </summary>
    /// <exception cref="DnsFormatException">The name is malformed.</exception>
    public static int Skip(ReadOnlySpan<byte> message, int offset)
    {
        var cursor = new Cursor(message, offset);
        int length;
        while ((length = NextLabel(message, ref cursor)) != 0)
        {
            cursor.Position += 1 + length;
        }

        return cursor.End;
    }

    /// <summary>Decodes the name at <paramref name="offset"/>; <paramref name="end"/> is the offset after it.</summary>
    /// <exception cref="DnsFormatException">The name is malformed.</exception>
    public static string Read(ReadOnlySpan<byte> message, int offset, out int end)
    {
        // Almost every name is plain host-name text: gather it as "label.label." bytes and widen
        // them into the string in one step. If a label holds a byte that needs escaping ('.', '\',
        // or anything outside printable ASCII), the name takes the escaping path instead.
        Span<byte> text = stackalloc byte[MaxWireLength];
        int written = 0;
        int labels = 0;
        var cursor = new Cursor(message, offset);
        int length;
        while ((length = NextLabel(message, ref cursor)) != 0)
        {
            message.Slice(cursor.Position + 1, length).CopyTo(text[written..]);
            written += length;
            text[written++] = (byte)'.';
            labels++;
            cursor.Position += 1 + length;
        }

        end = cursor.End;
        if (written == 0)
        {
            return ".";
        }

        ReadOnlySpan<byte> presentation = text[..written];
        if (presentation.IndexOfAnyExcept(PrintableExceptBackslash) >= 0 || presentation.Count((byte)'.') != labels)
        {
            return ReadEscaped(message, offset, out end);
        }

        return Encoding.Latin1.GetString(presentation);
    }

    private static string ReadEscaped(ReadOnlySpan<byte> message, int offset, out int end)
    {
        Span<char> buffer = stackalloc char[MaxPresentationLength];
        int written = 0;
        var cursor = new Cursor(message, offset);
        int length;
        while ((length = NextLabel(message, ref cursor)) != 0)
        {
            foreach (byte b in message.Slice(cursor.Position + 1, length))
            {
                if (b is (byte)'.' or (byte)'\\')
                {
                    buffer[written++] = '\\';
                    buffer[written++] = (char)b;
                }
                else if (b <= 0x20 || b >= 0x7F)
                {
                    buffer[written++] = '\\';
                    buffer[written++] = (char)('0' + (b / 100));
                    buffer[written++] = (char)('0' + (b / 10 % 10));
                    buffer[written++] = (char)('0' + (b % 10));
                }
                else
                {
                    buffer[written++] = (char)b;
                }
            }

            buffer[written++] = '.';
            cursor.Position += 1 + length;
        }

        end = cursor.End;
        return new string(buffer[..written]);
    }

    /// <summary>Decodes the name at <paramref name="offset"/>.</summary>
    /// <exception cref="DnsFormatException">The name is malformed.</exception>
    public static string Read(ReadOnlySpan<byte> message, int offset) => Read(message, offset, out _);

    /// <summary>
    /// Compares the wire name at <paramref name="offset"/> with <paramref name="name"/> (with or
    /// without its trailing dot) ASCII case-insensitively, without allocating (RFC 4343).
    /// </summary>
    /// <exception cref="DnsFormatException">The wire name is malformed.</exception>
    public static bool EqualsText(ReadOnlySpan<byte> message, int offset, ReadOnlySpan<char> name)
    {
        if (name.Length > 0 && name[^1] == '.')
        {
            name = name[..^1];
        }

        var cursor = new Cursor(message, offset);
        bool equal = true;
        int length;
        while ((length = NextLabel(message, ref cursor)) != 0)
        {
            if (equal)
            {
                int dot = name.IndexOf('.');
                ReadOnlySpan<char> expected = dot < 0 ? name : name[..dot];
                if (name.IsEmpty || !LabelEquals(message.Slice(cursor.Position + 1, length), expected))
                {
                    equal = false; // keep walking so a malformed name is still reported
                }
                else
                {
                    name = dot < 0 ? default : name[(dot + 1)..];
                }
            }

            cursor.Position += 1 + length;
        }

        return equal && name.IsEmpty;
    }

    /// <summary>Compares two wire names in the same message ASCII case-insensitively, without allocating.</summary>
    /// <exception cref="DnsFormatException">Either name is malformed.</exception>
    public static bool EqualsWire(ReadOnlySpan<byte> message, int offsetA, int offsetB)
    {
        if (offsetA == offsetB)
        {
            Skip(message, offsetA);
            return true;
        }

        var a = new LabelWalker(message, offsetA);
        var b = new LabelWalker(message, offsetB);
        while (true)
        {
            bool moreA = a.MoveNext(out ReadOnlySpan<byte> labelA);
            bool moreB = b.MoveNext(out ReadOnlySpan<byte> labelB);
            if (moreA != moreB)
            {
                return false;
            }

            if (!moreA)
            {
                return true;
            }

            if (!labelA.SequenceEqual(labelB) && !AsciiEqualsIgnoreCase(labelA, labelB))
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The offset of the first label the name at <paramref name="offset"/> is made of, after any
    /// pointers it starts with. Two names with the same first-label offset are the same bytes, so
    /// callers can reuse a decoded or compared name without walking it again.
    /// </summary>
    /// <exception cref="DnsFormatException">A leading pointer is cut off or does not point backwards.</exception>
    public static int FirstLabelOffset(ReadOnlySpan<byte> message, int offset)
    {
        while ((uint)offset < (uint)message.Length && (message[offset] & 0xC0) == 0xC0)
        {
            if (offset + 1 >= message.Length)
            {
                throw new DnsFormatException("A compression pointer is cut off by the end of the message.");
            }

            int target = ((message[offset] & 0x3F) << 8) | message[offset + 1];
            if (target >= offset)
            {
                throw new DnsFormatException($"A compression pointer at offset {offset} points forward or to itself (to {target}); only earlier offsets are allowed.");
            }

            offset = target;
        }

        return offset;
    }

    private static bool LabelEquals(ReadOnlySpan<byte> label, ReadOnlySpan<char> text)
    {
        if (label.Length != text.Length)
        {
            return false;
        }

        for (int i = 0; i < label.Length; i++)
        {
            if (ToLower(label[i]) != ToLower(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool AsciiEqualsIgnoreCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (ToLower(a[i]) != ToLower(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static int ToLower(int c) => c is >= 'A' and <= 'Z' ? c | 0x20 : c;

    /// <summary>Where a walk through a compressed name stands.</summary>
    private struct Cursor
    {
        /// <summary>The offset of the current length octet or pointer.</summary>
        public int Position;

        /// <summary>Pointers must point strictly before this offset: the start of the labels being read.</summary>
        public int Floor;

        public int WireLength;

        public int Jumps;

        /// <summary>The offset after the name as it stands at its starting position; -1 until known.</summary>
        public int End;

        public Cursor(ReadOnlySpan<byte> message, int offset)
        {
            if ((uint)offset >= (uint)message.Length)
            {
                ThrowOutside(offset, message.Length);
            }

            Position = offset;
            Floor = offset;
            WireLength = 0;
            Jumps = 0;
            End = -1;
        }
    }

    /// <summary>
    /// Follows pointers from <see cref="Cursor.Position"/> to the next label and returns its length
    /// (the label's bytes start at <c>Position + 1</c>; the caller steps past them), or 0 at the
    /// root label. Every read is bounds-checked; a pointer must point strictly before the start of
    /// the labels it continues (so the walk always moves backwards and ends), the jump count is
    /// capped, and the total wire length is held to 255 octets (RFC 1035 §2.3.4, §4.1.4).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NextLabel(ReadOnlySpan<byte> message, ref Cursor cursor)
    {
        while (true)
        {
            int position = cursor.Position;
            if ((uint)position >= (uint)message.Length)
            {
                ThrowFormat("A name runs past the end of the message.");
            }

            int length = message[position];
            if (length < 0x40)
            {
                cursor.WireLength += length + 1;
                if (cursor.WireLength > MaxWireLength)
                {
                    ThrowFormat("A name is longer than 255 octets.");
                }

                if (length == 0)
                {
                    if (cursor.End < 0)
                    {
                        cursor.End = position + 1;
                    }

                    return 0;
                }

                if (position + 1 + length > message.Length)
                {
                    ThrowFormat("A label runs past the end of the message.");
                }

                return length;
            }

            if (length < 0xC0)
            {
                // 01 and 10 prefixes are the extended and reserved label types (RFC 6891 §5).
                ThrowLabelType(length, position);
            }

            if (position + 1 >= message.Length)
            {
                ThrowFormat("A compression pointer is cut off by the end of the message.");
            }

            int target = ((length & 0x3F) << 8) | message[position + 1];
            if (target >= cursor.Floor)
            {
                ThrowForwardPointer(position, target);
            }

            if (++cursor.Jumps > MaxPointerJumps)
            {
                ThrowFormat("A name follows too many compression pointers.");
            }

            if (cursor.End < 0)
            {
                cursor.End = position + 2;
            }

            cursor.Position = target;
            cursor.Floor = target;
        }
    }

    [DoesNotReturn]
    private static void ThrowFormat(string message) => throw new DnsFormatException(message);

    [DoesNotReturn]
    private static void ThrowOutside(int offset, int length)
        => throw new DnsFormatException($"A name starts at offset {offset}, outside the {length}-byte message.");

    [DoesNotReturn]
    private static void ThrowLabelType(int lengthOctet, int position)
        => throw new DnsFormatException($"Unsupported label type 0x{lengthOctet & 0xC0:X2} at offset {position}.");

    [DoesNotReturn]
    private static void ThrowForwardPointer(int position, int target)
        => throw new DnsFormatException($"A compression pointer at offset {position} points forward or into its own name (to {target}); only earlier offsets are allowed.");

    /// <summary>Walks the labels of a compressed name one at a time, under the rules of <see cref="NextLabel"/>.</summary>
    private ref struct LabelWalker
    {
        private readonly ReadOnlySpan<byte> _message;
        private Cursor _cursor;

        public LabelWalker(ReadOnlySpan<byte> message, int offset)
        {
            _message = message;
            _cursor = new Cursor(message, offset);
        }

        public bool MoveNext(out ReadOnlySpan<byte> label)
        {
            int length = NextLabel(_message, ref _cursor);
            if (length == 0)
            {
                label = default;
                return false;
            }

            label = _message.Slice(_cursor.Position + 1, length);
            _cursor.Position += 1 + length;
            return true;
        }
    }
}
