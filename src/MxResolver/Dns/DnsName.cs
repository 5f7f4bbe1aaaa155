using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    /// The longest name in text form without its trailing dot, one character per octet: the 255
    /// wire octets less the first length octet and the root label (RFC 1035 §2.3.4).
    /// </summary>
    public const int MaxTextLength = MaxWireLength - 2;

    /// <summary>
    /// A bound on pointer jumps. Pointers must also go strictly backwards, which alone rules out
    /// loops; this cap bounds the work on adversarial chains of pointers.
    /// </summary>
    public const int MaxPointerJumps = 127;

    // A decoded name is at most 255 wire octets; each octet becomes at most 4 characters (\DDD).
    private const int MaxPresentationLength = MaxWireLength * 4;

    /// <summary>Validates <paramref name="name"/> and returns its uncompressed wire length.</summary>
    /// <remarks>
    /// The text is a name in presentation form (RFC 1035 §5.1), the form <see cref="Read(ReadOnlySpan{byte}, int)"/>
    /// produces: <c>\DDD</c> (three decimal digits, at most 255) stands for that octet and <c>\X</c> for the
    /// character X itself, so a label may hold a '.' or any octet. A name read from a message thus goes
    /// back on the wire as the octets it came as.
    /// </remarks>
    /// <exception cref="ArgumentException">The name is empty, has an empty label, a label over 63 octets, a character outside printable ASCII, a '\' that begins no valid escape, or is over 255 octets on the wire.</exception>
    public static int GetWireLength(ReadOnlySpan<char> name)
    {
        int length = Encode(name, default, out EncodeError error, out int detail);
        if (length < 0)
        {
            ThrowInvalidName(name, error, detail);
        }

        return length;
    }

    /// <summary>
    /// The length rules of RFC 1035 §2.3.4 for a name in text form, one character per octet,
    /// without its trailing dot: no empty label, labels of at most <see cref="MaxLabelLength"/>
    /// octets, at most <see cref="MaxTextLength"/> characters in all. The one place these rules
    /// live; the input parser and the host-name syntax check call it too.
    /// </summary>
    /// <param name="name">The name, without trailing dot.</param>
    /// <param name="offendingLength">The length of the label or the name that is too long, else 0.</param>
    /// <returns>The first rule broken, labels checked left to right before the whole length.</returns>
    public static DnsNameLengthError CheckLengths(ReadOnlySpan<char> name, out int offendingLength)
    {
        offendingLength = 0;
        if (name.IsEmpty)
        {
            return DnsNameLengthError.Empty;
        }

        ReadOnlySpan<char> rest = name;
        while (true)
        {
            int dot = rest.IndexOf('.');
            int labelLength = dot < 0 ? rest.Length : dot;
            if (labelLength == 0)
            {
                return DnsNameLengthError.EmptyLabel;
            }

            if (labelLength > MaxLabelLength)
            {
                offendingLength = labelLength;
                return DnsNameLengthError.LabelTooLong;
            }

            if (dot < 0)
            {
                break;
            }

            rest = rest[(dot + 1)..];
        }

        if (name.Length > MaxTextLength)
        {
            offendingLength = name.Length;
            return DnsNameLengthError.NameTooLong;
        }

        return DnsNameLengthError.None;
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

        return Encode(name, destination, out _, out _);
    }

    private enum EncodeError
    {
        Empty,
        EmptyLabel,
        LongLabel,
        NotPrintable,
        BadEscape,
        LongName,
    }

    /// <summary>
    /// Turns presentation text into wire octets (into <paramref name="destination"/> unless it is
    /// empty, which only measures) and returns the wire length, or -1 with the reason.
    /// </summary>
    private static int Encode(ReadOnlySpan<char> name, Span<byte> destination, out EncodeError error, out int detail)
    {
        error = default;
        detail = 0;
        if (name.IsEmpty)
        {
            error = EncodeError.Empty;
            return -1;
        }

        bool write = !destination.IsEmpty;
        if (name is ".")
        {
            if (write)
            {
                destination[0] = 0;
            }

            return 1;
        }

        int labelAt = 0; // where the current label's length octet goes
        int labelLength = 0;
        for (int i = 0; ; i++)
        {
            if (i == name.Length || name[i] == '.')
            {
                // An unescaped dot (or the end) closes a label; only the last dot may end the text.
                if (labelLength == 0)
                {
                    error = EncodeError.EmptyLabel;
                    return -1;
                }

                if (labelLength > MaxLabelLength)
                {
                    error = EncodeError.LongLabel;
                    detail = labelLength;
                    return -1;
                }

                if (write)
                {
                    destination[labelAt] = (byte)labelLength;
                }

                labelAt += 1 + labelLength;
                labelLength = 0;
                if (labelAt + 1 > MaxWireLength)
                {
                    error = EncodeError.LongName;
                    return -1;
                }

                if (i >= name.Length - 1)
                {
                    if (write)
                    {
                        destination[labelAt] = 0;
                    }

                    return labelAt + 1;
                }

                continue;
            }

            int octet = name[i];
            if (octet == '\\')
            {
                if (i + 1 == name.Length)
                {
                    error = EncodeError.BadEscape;
                    return -1;
                }

                octet = name[++i];
                if (char.IsAsciiDigit((char)octet))
                {
                    if (i + 2 >= name.Length || !char.IsAsciiDigit(name[i + 1]) || !char.IsAsciiDigit(name[i + 2])
                        || (octet = ((octet - '0') * 100) + ((name[i + 1] - '0') * 10) + (name[i + 2] - '0')) > byte.MaxValue)
                    {
                        error = EncodeError.BadEscape;
                        return -1;
                    }

                    i += 2;
                }
                else if (octet <= ' ' || octet > '~')
                {
                    error = EncodeError.NotPrintable;
                    return -1;
                }
            }
            else if (octet <= ' ' || octet > '~')
            {
                error = EncodeError.NotPrintable;
                return -1;
            }

            // Written only while within the limits: a longer label or name fails above before the end.
            if (write && labelLength < MaxLabelLength && labelAt + 1 + labelLength < destination.Length)
            {
                destination[labelAt + 1 + labelLength] = (byte)octet;
            }

            labelLength++;
        }
    }

    [DoesNotReturn]
    private static void ThrowInvalidName(ReadOnlySpan<char> name, EncodeError error, int detail)
    {
        string text = name.ToString();
        throw new ArgumentException(
            error switch
            {
                EncodeError.Empty => "A domain name cannot be empty; use \".\" for the root.",
                EncodeError.EmptyLabel => $"The domain name '{text}' has an empty label.",
                EncodeError.LongLabel => $"The domain name '{text}' has a label of {detail} octets; at most {MaxLabelLength} are allowed (RFC 1035 §2.3.4).",
                EncodeError.NotPrintable => $"The domain name '{text}' contains a character outside printable ASCII; convert internationalized names to A-labels first, and write other octets as \\DDD.",
                EncodeError.BadEscape => $"The domain name '{text}' has a '\\' that begins no escape: use \\X for a character or \\DDD for an octet (at most 255).",
                _ => $"The domain name '{text}' is longer than {MaxWireLength} octets on the wire (RFC 1035 §2.3.4).",
            },
            nameof(name));
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
        NameMemo memo = default;
        return Read(message, offset, out end, ref memo);
    }

    /// <summary>
    /// Decodes the name at <paramref name="offset"/> like <see cref="Read(ReadOnlySpan{byte}, int, out int)"/>,
    /// finishing it with the text of the name in <paramref name="memo"/> when it points into that
    /// name's first run of labels, and remembering it in <paramref name="memo"/> otherwise. Pass
    /// the same memo only to reads of the same message.
    /// </summary>
    /// <exception cref="DnsFormatException">The name is malformed.</exception>
    public static string Read(ReadOnlySpan<byte> message, int offset, out int end, ref NameMemo memo)
    {
        if (memo.Text is not null && TryReadLabelAndMemo(message, offset, in memo, out string? shortText, out end))
        {
            return shortText;
        }

        // Almost every name is plain host-name text. The first walk validates the name and
        // measures it; the second widens its labels straight into the final string and checks
        // them as it goes. If a label holds a byte that needs escaping ('.', '\', or anything
        // outside printable ASCII), the name takes the escaping path instead.
        var cursor = new Cursor(message, offset);
        int suffixAt = -1;
        int suffixFrom = 0;
        int length;
        while ((length = NextLabel(message, ref cursor)) != 0)
        {
            // A pointer to a label of the remembered name: the rest of this name is the rest of
            // that one, already validated under rules no looser than the walk from here would
            // apply. Only its length and pointer count still have to fit this name's limits.
            if (cursor.Jumps > 0 && cursor.Position == cursor.Floor && (suffixFrom = memo.SuffixAt(cursor.Position, message.Length)) >= 0)
            {
                cursor.WireLength += memo.Text!.Length - suffixFrom - length;
                if (cursor.WireLength > MaxWireLength)
                {
                    ThrowFormat("A name is longer than 255 octets.");
                }

                if (cursor.Jumps + memo.Jumps > MaxPointerJumps)
                {
                    ThrowFormat("A name follows too many compression pointers.");
                }

                suffixAt = cursor.Position;
                break;
            }

            cursor.Position += 1 + length;
        }

        end = cursor.End;
        if (cursor.WireLength == 1)
        {
            return ".";
        }

        // Each label shows as its octets and a dot: the wire length less the root's length octet.
        int textLength = cursor.WireLength - 1;
        // The remembered suffix is known to be plain; the labels decoded here are checked while widened.
        string text = CreatePlain(message, offset, textLength, suffixAt, suffixAt < 0 ? null : memo.Text, suffixFrom, out bool plain);
        if (!plain)
        {
            return ReadEscaped(message, offset, out end);
        }

        if (suffixAt < 0)
        {
            memo = new NameMemo(text, offset, end - (cursor.Jumps > 0 ? 2 : 1), cursor.Jumps, message.Length);
        }

        return text;
    }

    /// <summary>
    /// The commonest compressed shape on its own: one label, then a pointer straight to a label of
    /// the remembered name (<c>alt1</c> + a pointer to <c>gmail-smtp-in.l.google.com.</c>). Applies
    /// exactly the checks the general walk would apply to that shape and returns
    /// <see langword="false"/>, having read nothing, for any other shape.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryReadLabelAndMemo(ReadOnlySpan<byte> message, int offset, in NameMemo memo, [NotNullWhen(true)] out string? text, out int end)
    {
        text = null;
        end = 0;
        if ((uint)offset >= (uint)message.Length)
        {
            return false;
        }

        int length = message[offset];
        int pointerAt = offset + 1 + length;
        if ((uint)(length - 1) >= MaxLabelLength || pointerAt + 1 >= message.Length || message[pointerAt] < 0xC0)
        {
            return false;
        }

        // A pointer must point before the labels it continues: here, before the name itself.
        int target = ((message[pointerAt] & 0x3F) << 8) | message[pointerAt + 1];
        int suffixFrom;
        if (target >= offset || (suffixFrom = memo.SuffixAt(target, message.Length)) < 0)
        {
            return false;
        }

        // This label and its length octet, then the remembered labels with theirs and the root's.
        string suffix = memo.Text!;
        if (length + 2 + suffix.Length - suffixFrom > MaxWireLength)
        {
            ThrowFormat("A name is longer than 255 octets.");
        }

        if (1 + memo.Jumps > MaxPointerJumps)
        {
            ThrowFormat("A name follows too many compression pointers.");
        }

        end = pointerAt + 2;
        text = CreateLabelAndSuffix(message, offset + 1, length, suffix, suffixFrom, out bool plain);
        if (!plain)
        {
            text = ReadEscaped(message, offset, out end);
        }

        return true;
    }

    private static string CreateLabelAndSuffix(ReadOnlySpan<byte> message, int start, int length, string suffix, int suffixFrom, out bool plain)
    {
        string text = AllocateText(length + 1 + suffix.Length - suffixFrom, out Span<char> destination);
        plain = FillLabelAndSuffix(destination, message, start, length, suffix, suffixFrom);
        return text;
    }

    /// <summary>Writes one label, its dot and <c>suffix[suffixFrom..]</c>, saying whether the label needs no escapes.</summary>
    private static bool FillLabelAndSuffix(Span<char> destination, ReadOnlySpan<byte> message, int start, int length, string suffix, int suffixFrom)
    {
        bool plain = Widen(message, start, length, destination, 0);
        destination[length] = '.';
        suffix.AsSpan(suffixFrom).CopyTo(destination[(length + 1)..]);
        return plain;
    }

    private static string CreatePlain(ReadOnlySpan<byte> message, int offset, int length, int suffixAt, string? suffix, int suffixFrom, out bool plain)
    {
        string text = AllocateText(length, out Span<char> destination);
        plain = FillPlain(destination, message, offset, suffixAt, suffix, suffixFrom);
        return text;
    }

    /// <summary>
    /// A new string of <paramref name="length"/> characters and a span over them, for the caller to
    /// fill before the string is seen anywhere else: what <see cref="string.Create{TState}(int, TState, System.Buffers.SpanAction{char, TState})"/>
    /// does, without a delegate and on every target framework.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static string AllocateText(int length, out Span<char> destination)
    {
        string text = new('\0', length);
        destination = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(text.AsSpan()), length);
        return text;
    }

    /// <summary>
    /// Writes the labels of a name already validated by <see cref="NextLabel"/> into
    /// <paramref name="destination"/> as "label.label.", widening each octet to a character, and
    /// finishing with <c>suffix[suffixFrom..]</c> where the walk reaches <paramref name="suffixAt"/>
    /// through a pointer. The walk still refuses anything but a backward pointer and every access
    /// is bounds-checked, so bytes changed since validation end in an exception, never in a loop
    /// or a stray write.
    /// </summary>
    private static bool FillPlain(Span<char> destination, ReadOnlySpan<byte> message, int position, int suffixAt, string? suffix, int suffixFrom)
    {
        bool plain = true;
        int written = 0;
        int floor = position;
        bool jumped = false;
        while (true)
        {
            int length = message[position];
            if (length == 0)
            {
                break;
            }

            if (length >= 0xC0)
            {
                int target = ((length & 0x3F) << 8) | message[position + 1];
                if (target >= floor)
                {
                    ThrowChanged();
                }

                position = floor = target;
                jumped = true;
                continue;
            }

            if (length >= 0x40)
            {
                ThrowChanged();
            }

            if (position == suffixAt && jumped && position == floor)
            {
                ReadOnlySpan<char> rest = suffix.AsSpan(suffixFrom);
                rest.CopyTo(destination[written..]);
                written += rest.Length;
                break;
            }

            plain &= Widen(message, position + 1, length, destination, written);
            written += length;
            destination[written++] = '.';
            position += 1 + length;
        }

        if (written != destination.Length)
        {
            ThrowChanged();
        }

        return plain;
    }

    /// <summary>
    /// Widens <c>message[start..(start + length)]</c> into <c>destination[written..]</c> and says
    /// whether every octet shows as itself: printable ASCII other than '.' and '\' (RFC 1035 §5.1),
    /// so the name needs no escapes. Whole eight-octet blocks are used when both spans have room
    /// for them: a block may read past the label (still inside the message; those lanes are not
    /// checked) and write past it (still inside the destination, where the labels that follow
    /// overwrite it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Widen(ReadOnlySpan<byte> message, int start, int length, Span<char> destination, int written)
    {
        ReadOnlySpan<byte> source = message.Slice(start, length);
        Span<char> target = destination.Slice(written, length);
        int blocks = (length + 7) & ~7;
        if (Vector128.IsHardwareAccelerated && message.Length - start >= blocks && destination.Length - written >= blocks)
        {
            ref byte from = ref MemoryMarshal.GetReference(source);
            ref ushort to = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(target));
            uint escapes = 0;
            int i = 0;
            for (; i + 8 <= length; i += 8)
            {
                Vector128<byte> octets = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, i))).AsByte();
                Vector128.WidenLower(octets).StoreUnsafe(ref to, (nuint)i);
                escapes |= NeedsEscape(octets) & 0xFF;
            }

            if (i < length)
            {
                Vector128<byte> octets = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, i))).AsByte();
                Vector128.WidenLower(octets).StoreUnsafe(ref to, (nuint)i);
                escapes |= NeedsEscape(octets) & ((1u << (length - i)) - 1);
            }

            return escapes == 0;
        }

        bool plain = true;
        for (int i = 0; i < source.Length; i++)
        {
            byte octet = source[i];
            target[i] = (char)octet;
            plain &= (uint)(octet - 0x21) <= 0x7E - 0x21 && octet != (byte)'.' && octet != (byte)'\\';
        }

        return plain;
    }

    /// <summary>A bit per lane (lowest lane first) for each octet that would need an escape in presentation format.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint NeedsEscape(Vector128<byte> octets)
    {
        // Byte lanes compare unsigned: octets below '!' wrap around past '~' - '!'.
        Vector128<byte> outside = Vector128.GreaterThan(octets - Vector128.Create((byte)0x21), Vector128.Create((byte)(0x7E - 0x21)));
        Vector128<byte> special = Vector128.Equals(octets, Vector128.Create((byte)'.')) | Vector128.Equals(octets, Vector128.Create((byte)'\\'));
        return (outside | special).ExtractMostSignificantBits();
    }

    [DoesNotReturn]
    private static void ThrowChanged() => throw new DnsFormatException("The message changed while a name was being read.");

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
        if (name.Contains('\\'))
        {
            // Escapes stand for octets (see GetWireLength): compare against the octets they stand for.
            Span<byte> wire = stackalloc byte[MaxWireLength];
            return EqualsEncoded(message, offset, wire[..Math.Max(0, Encode(name, wire, out _, out _))]);
        }

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
                // The text's next label must be exactly as long as the wire label: the wire length
                // says where its dot (or its end) has to be.
                // A dot that ends the text after the one trailing dot was taken off is an empty label.
                if (name.Length < length || (name.Length > length && (name[length] != '.' || name.Length == length + 1)) || !LabelEquals(message.Slice(cursor.Position + 1, length), name[..length]))
                {
                    equal = false; // keep walking so a malformed name is still reported
                }
                else
                {
                    name = name.Length > length ? name[(length + 1)..] : default;
                }
            }

            cursor.Position += 1 + length;
        }

        return equal && name.IsEmpty;
    }

    /// <summary>
    /// The wire name at <paramref name="offset"/> against an uncompressed wire name (empty: no name,
    /// equal to nothing), ASCII case-insensitively; the message's name is walked to its end either way.
    /// </summary>
    private static bool EqualsEncoded(ReadOnlySpan<byte> message, int offset, ReadOnlySpan<byte> wire)
    {
        var walker = new LabelWalker(message, offset);
        bool equal = !wire.IsEmpty;
        int position = 0;
        while (walker.MoveNext(out ReadOnlySpan<byte> label))
        {
            if (equal)
            {
                int length = wire[position];
                equal = length == label.Length && AsciiEqualsIgnoreCase(label, wire.Slice(position + 1, length));
                position += 1 + length;
            }
        }

        return equal && wire[position] == 0;
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
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FirstLabelOffset(ReadOnlySpan<byte> message, int offset)
    {
        while ((uint)offset < (uint)message.Length && (message[offset] & 0xC0) == 0xC0)
        {
            if (offset + 1 >= message.Length)
            {
                ThrowFormat("A compression pointer is cut off by the end of the message.");
            }

            int target = ((message[offset] & 0x3F) << 8) | message[offset + 1];
            if (target >= offset)
            {
                ThrowLeadingForwardPointer(offset, target);
            }

            offset = target;
        }

        return offset;
    }

    /// <summary>A wire label against one label of text; a '.' in the text separates labels, so it never matches.</summary>
    private static bool LabelEquals(ReadOnlySpan<byte> label, ReadOnlySpan<char> text)
    {
        if (label.Length != text.Length)
        {
            return false;
        }

        for (int i = 0; i < label.Length; i++)
        {
            if (text[i] == '.' || ToLower(label[i]) != ToLower(text[i]))
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
    private static void ThrowLeadingForwardPointer(int offset, int target)
        => throw new DnsFormatException($"A compression pointer at offset {offset} points forward or to itself (to {target}); only earlier offsets are allowed.");

    [DoesNotReturn]
    private static void ThrowOutside(int offset, int length)
        => throw new DnsFormatException($"A name starts at offset {offset}, outside the {length}-byte message.");

    [DoesNotReturn]
    private static void ThrowLabelType(int lengthOctet, int position)
        => throw new DnsFormatException($"Unsupported label type 0x{lengthOctet & 0xC0:X2} at offset {position}.");

    [DoesNotReturn]
    private static void ThrowForwardPointer(int position, int target)
        => throw new DnsFormatException($"A compression pointer at offset {position} points forward or into its own name (to {target}); only earlier offsets are allowed.");

    /// <summary>
    /// A plain name decoded earlier from one message, so that later names of that message which
    /// point into its first run of labels (the usual shape of compressed MX exchanges and NS
    /// targets) copy its text instead of walking and widening it again.
    /// </summary>
    internal readonly struct NameMemo
    {
        private readonly int _start;
        private readonly int _segmentEnd;
        private readonly int _messageLength;

        public NameMemo(string text, int start, int segmentEnd, int jumps, int messageLength)
        {
            Text = text;
            _start = start;
            _segmentEnd = segmentEnd;
            Jumps = jumps;
            _messageLength = messageLength;
        }

        /// <summary>The name's text; <see langword="null"/> when nothing is remembered.</summary>
        public string? Text { get; }

        /// <summary>The pointers the whole name follows, all after its first run of labels.</summary>
        public int Jumps { get; }

        /// <summary>
        /// Where in <see cref="Text"/> the label at <paramref name="position"/> begins, if it is
        /// one of the labels before the name's first pointer (or root) and the message read now
        /// holds every byte the name was read from; otherwise -1.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int SuffixAt(int position, int messageLength)
        {
            // In a run of labels, the label at wire offset start + k begins at character k of
            // the text (each length octet turns into the dot before the next label), so k is a
            // label boundary exactly when it is 0 or the character before it is a dot: a plain
            // name has no dots inside its labels.
            int index = position - _start;
            if (Text is null || (uint)index >= (uint)(_segmentEnd - _start) || _messageLength > messageLength)
            {
                return -1;
            }

            return index == 0 || Text[index - 1] == '.' ? index : -1;
        }
    }

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
