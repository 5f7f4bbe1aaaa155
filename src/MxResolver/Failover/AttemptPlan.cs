using System.Net;

namespace MxResolver.Failover;

/// <summary>Addresses of one target to try together (racing RFC 8305 style in <see cref="MxConnector.ConnectAsync"/>).</summary>
internal sealed record AttemptGroup(MxTarget Target, IReadOnlyList<IPAddress> Addresses);

/// <summary>Turns the resolution's targets into the order of attempts, with host health applied (R20, R22).</summary>
internal static class AttemptPlan
{
    /// <summary>
    /// Keeps the resolution's order (R20), except that within each preference the addresses
    /// currently unhealthy go after every healthy address of that preference (R22): never dropped,
    /// never moved across preferences, so an unhealthy best exchanger still goes before a healthy
    /// backup (RFC 5321 §5.1 ranks by preference, health only breaks ties).
    /// </summary>
    public static List<AttemptGroup> Build(IReadOnlyList<MxTarget> targets, HostHealthTable health)
    {
        var plan = new List<AttemptGroup>(targets.Count);
        var later = new List<AttemptGroup>();
        int start = 0;
        while (start < targets.Count)
        {
            int end = start;
            while (end < targets.Count && targets[end].Preference == targets[start].Preference)
            {
                end++;
            }

            later.Clear();
            for (int i = start; i < end; i++)
            {
                MxTarget target = targets[i];
                var healthy = new List<IPAddress>(target.Addresses.Count);
                var unhealthy = new List<IPAddress>();
                foreach (IPAddress address in target.Addresses)
                {
                    (health.IsUnhealthy(address) ? unhealthy : healthy).Add(address);
                }

                if (healthy.Count > 0)
                {
                    plan.Add(new AttemptGroup(target, healthy));
                }

                if (unhealthy.Count > 0)
                {
                    later.Add(new AttemptGroup(target, unhealthy));
                }
            }

            plan.AddRange(later);
            start = end;
        }

        return plan;
    }
}
