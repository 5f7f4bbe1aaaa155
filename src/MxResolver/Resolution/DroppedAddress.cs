using System.Net;

namespace MxResolver;

/// <summary>Why an address of a target is not among its addresses.</summary>
public enum AddressDropReason
{
    /// <summary>The address is in a category of <see cref="MxResolverOptions.BlockedAddresses"/> (R18).</summary>
    Blocked = 1,

    /// <summary>The address was already listed under the same or a better target (R13).</summary>
    Duplicate = 2,

    /// <summary>The address family is excluded by <see cref="MxResolverOptions.AddressFamily"/> (IPv4 only or IPv6 only).</summary>
    ExcludedFamily = 3,

    /// <summary>A cap (<see cref="MxResolverOptions.MaxAddressesPerTarget"/> or <see cref="MxResolverOptions.MaxAddresses"/>) was reached.</summary>
    LimitExceeded = 4,
}

/// <summary>An address of a target that will not be tried, and why.</summary>
/// <remarks>
/// Equal, by value, to another with the same host, address (<see cref="IPAddress.Equals(object?)"/>),
/// reason and category. Rule numbers (R13, R18, R19) refer to <c>docs/behaviour.md</c> of the repository.
/// </remarks>
public sealed record DroppedAddress
{
    /// <summary>Creates the record.</summary>
    /// <param name="host">The target the address belongs to.</param>
    /// <param name="address">The address as published.</param>
    /// <param name="reason">Why it was dropped.</param>
    /// <param name="category">For <see cref="AddressDropReason.Blocked"/>, the blocked category it falls in; otherwise <see cref="AddressCategories.None"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> or <paramref name="address"/> is <see langword="null"/>.</exception>
    public DroppedAddress(string host, IPAddress address, AddressDropReason reason, AddressCategories category = AddressCategories.None)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(address);
        Host = host;
        Address = address;
        Reason = reason;
        Category = category;
    }

    /// <summary>The target the address belongs to (lower case, no trailing dot).</summary>
    public string Host { get; }

    /// <summary>The address as published (an IPv4-mapped or NAT64 address is reported in that form).</summary>
    public IPAddress Address { get; }

    /// <summary>Why it was dropped.</summary>
    public AddressDropReason Reason { get; }

    /// <summary>For <see cref="AddressDropReason.Blocked"/>, the blocked category; otherwise <see cref="AddressCategories.None"/>.</summary>
    public AddressCategories Category { get; }
}
