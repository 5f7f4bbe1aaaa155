using System.Globalization;
using System.Text;

namespace MxResolver.Testing;

/// <summary>
/// A domain name as a list of raw labels (any bytes), for <see cref="DnsMessageBuilder"/>. Deliberately
/// independent of the library's <c>DnsName</c>: the tests need an oracle that does not share the code under test.
/// </summary>
public sealed class WireName
{
    public WireName(IReadOnlyList<byte[]> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        Labels = labels;
    }

    public static WireName Root { get; } = new([]);

    public IReadOnlyList<byte[]> Labels { get; }

    /// <summary>The uncompressed wire length: every label with its length octet, plus the root octet.</summary>
    public int WireLength => Labels.Sum(l => l.Length + 1) + 1;

    /// <summary>Splits a plain dotted ASCII name (no escapes); "." and "" are the root.</summary>
    public static WireName Parse(string dotted)
    {
        ArgumentNullException.ThrowIfNull(dotted);
        var trimmed = dotted.TrimEnd('.');
        return trimmed.Length == 0
            ? Root
            : new WireName(trimmed.Split('.').Select(Encoding.ASCII.GetBytes).ToArray());
    }

    /// <summary>
    /// A presentation-format name: labels separated by dots, <c>\.</c> and <c>\DDD</c> escapes honoured,
    /// other characters as UTF-8, "." or "" for the root. No length validation, so tests can forge
    /// over-long labels and names.
    /// </summary>
    public static WireName FromPresentation(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var labels = new List<byte[]>();
        if (name is "" or ".")
        {
            return new WireName(labels);
        }

        var current = new List<byte>();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '\\' && i + 1 < name.Length)
            {
                if (i + 3 < name.Length && char.IsAsciiDigit(name[i + 1]) && char.IsAsciiDigit(name[i + 2]) && char.IsAsciiDigit(name[i + 3]))
                {
                    current.Add(byte.Parse(name.AsSpan(i + 1, 3), provider: null));
                    i += 3;
                }
                else
                {
                    current.Add((byte)name[++i]);
                }
            }
            else if (c == '.')
            {
                labels.Add([.. current]);
                current.Clear();
            }
            else
            {
                current.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        if (current.Count > 0)
        {
            labels.Add([.. current]);
        }

        return new WireName(labels);
    }

    /// <summary>The uncompressed wire form: each label with its length octet, then the root octet.</summary>
    public byte[] ToWire()
    {
        var output = new List<byte>(WireLength);
        foreach (var label in Labels)
        {
            output.Add((byte)label.Length);
            output.AddRange(label);
        }

        output.Add(0);
        return [.. output];
    }

    /// <summary>
    /// The presentation form RFC 1035 §5.1 prescribes: labels joined by dots, a trailing dot, the
    /// root as "."; '.' and '\' escaped with a backslash, other bytes outside 0x21..0x7E as \DDD.
    /// </summary>
    public string ToPresentation()
    {
        if (Labels.Count == 0)
        {
            return ".";
        }

        var text = new StringBuilder();
        foreach (var label in Labels)
        {
            foreach (var b in label)
            {
                if (b == '.' || b == '\\')
                {
                    text.Append('\\').Append((char)b);
                }
                else if (b < 0x21 || b > 0x7E)
                {
                    text.Append('\\').Append(b.ToString("D3", CultureInfo.InvariantCulture));
                }
                else
                {
                    text.Append((char)b);
                }
            }

            text.Append('.');
        }

        return text.ToString();
    }

    public override string ToString() => ToPresentation();
}
