using System.Net.Sockets;
using System.Security.Authentication;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;

namespace WaSms.Health.Mqtt;

/// <summary>The broker answered CONNECT with a refusal (MQTTnet 5 returns it as a result, not an exception).</summary>
internal sealed class BrokerRefusedException(string message) : MqttCommunicationException(message);

/// <summary>
/// One line for people saying why a connect attempt failed: the CONNACK reason, the TLS certificate
/// problem, a TLS/plain mismatch, or the network error. Never contains a credential.
/// </summary>
internal static class BrokerFailure
{
    public static string LoginRefused(MqttClientConnectResult result)
    {
        var what = result.ResultCode switch
        {
            MqttClientConnectResultCode.NotAuthorized => "not authorised",
            MqttClientConnectResultCode.BadUserNameOrPassword => "bad user name or password",
            MqttClientConnectResultCode.ClientIdentifierNotValid => "client id not accepted",
            MqttClientConnectResultCode.Banned => "banned",
            MqttClientConnectResultCode.ServerUnavailable or MqttClientConnectResultCode.ServerBusy => "broker unavailable or busy",
            _ => result.ResultCode.ToString(),
        };
        var hint = result.ResultCode is MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.BadUserNameOrPassword
            ? "; check Mqtt:Username and Mqtt:Password and the broker's password file"
            : "";
        var reason = string.IsNullOrWhiteSpace(result.ReasonString) ? "" : $", \"{result.ReasonString}\"";
        return $"broker refused the login: {what} (CONNACK {result.ResultCode}, 0x{(int)result.ResultCode:x2}{reason}){hint}";
    }

    public static string Describe(Exception ex, MqttOptions options, BrokerCertificateCheck? certificates)
    {
        if (ex is BrokerRefusedException)
        {
            return ex.Message;
        }
        if (certificates?.Rejection is { } rejection)
        {
            return rejection;
        }
        if (options.Tls && certificates is { Presented: false } && DiedInHandshake(ex))
        {
            // The TCP connection opened but the handshake died before any certificate came: the
            // other end is not a TLS listener (mosquitto resets a plain listener's connection).
            return $"the broker did not speak TLS on port {options.Port} (a plain MQTT port? use the TLS port, usually 8883, or Mqtt:Tls=false)";
        }
        if (Find<SocketException>(ex) is { } socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"connection refused: nothing listens on {options.Host}:{options.Port}",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"host name {options.Host} not found",
                SocketError.TimedOut => $"no answer from {options.Host}:{options.Port} (timed out)",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => $"{options.Host} not reachable ({socket.SocketErrorCode})",
                _ => $"network error {socket.SocketErrorCode}",
            };
        }
        if (Find<AuthenticationException>(ex) is { } tls)
        {
            return $"TLS handshake failed ({tls.Message})";
        }
        if (ex is MqttCommunicationTimedOutException || Find<OperationCanceledException>(ex) is not null)
        {
            return $"no answer from {options.Host}:{options.Port} in time";
        }
        if (!options.Tls && ex is MqttConnectingFailedException)
        {
            // The TCP connection opened but CONNECT got no CONNACK (closed, or bytes that are not MQTT):
            // what a TLS listener does with a plain client.
            return $"the broker did not answer MQTT on port {options.Port} and closed the connection (a TLS port? set Mqtt:Tls=true)";
        }
        return Innermost(ex).Message;
    }

    private static bool DiedInHandshake(Exception ex) =>
        Find<AuthenticationException>(ex) is not null
        || Find<SocketException>(ex) is { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted }
        || (Find<IOException>(ex) is not null && Find<SocketException>(ex) is null);

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }
        return null;
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }
        return ex;
    }
}
