import { SenfedError, type MessageTable, type SentenceParams } from '../errors';

/** The sentences of LoRaWAN frames and device settings, by messageId. */
export const LORA_MESSAGES = {
  LORA_PAYLOAD_TYPE: {
    code: 'DEVICE_LORA_INPUT',
    en: 'a PHYPayload is a Buffer, or hex or base64 text, not {got}',
  },
  LORA_PAYLOAD_TEXT: {
    code: 'DEVICE_LORA_INPUT',
    en: '"{text}" is neither hex nor base64',
  },
  LORA_FRAME_SHORT: {
    code: 'DEVICE_LORA_FRAME',
    en: 'a {kind} frame has at least {min} bytes, this one {length}',
  },
  LORA_FRAME_TYPE: {
    code: 'DEVICE_LORA_FRAME',
    en: 'a {kind} frame is not an uplink to decode (MType {mtype})',
  },
  LORA_FRAME_UNREADABLE: {
    code: 'DEVICE_LORA_FRAME',
    en: 'the frame cannot be read: {reason}',
  },
  LORA_OTHER_DEVICE: {
    code: 'DEVICE_LORA_FRAME',
    en: 'the frame is from DevAddr {devAddr}, not {expected} ({device})',
  },
  LORA_MIC: {
    code: 'DEVICE_LORA_MIC',
    en: 'the MIC of a frame from {device} (DevAddr {devAddr}, FCnt {fCnt}) does not hold: wrong NwkSKey, or a forged or damaged frame',
  },
  LORA_MIC_11: {
    code: 'DEVICE_LORA_MIC',
    en: 'the MIC of a frame from {device} (DevAddr {devAddr}, FCnt {fCnt}) does not hold: wrong FNwkSIntKey or SNwkSIntKey, or a forged or damaged frame',
  },
  LORA_JOIN_MIC: {
    code: 'DEVICE_LORA_MIC',
    en: 'the MIC of a {kind} of {device} does not hold: wrong AppKey, or a forged or damaged frame',
  },
  LORA_REPLAY: {
    code: 'DEVICE_LORA_COUNTER',
    en: 'a frame of {device} with FCnt {fCnt} was refused: {last} was accepted already (a replay or a frame that came late)',
  },
  LORA_COUNTER_GAP: {
    code: 'DEVICE_LORA_COUNTER',
    en: 'a frame of {device} jumps from FCnt {last} to {fCnt}, more than {gap} frames (LoRaWAN MAX_FCNT_GAP): refused',
  },
  LORA_NO_SESSION: {
    code: 'DEVICE_LORA_SESSION',
    en: '{device} has no session keys yet: give ABP keys, or let a join request and its join accept pass first',
  },
  LORA_NO_JOIN_REQUEST: {
    code: 'DEVICE_LORA_SESSION',
    en: 'a join accept for {device} came without a join request before it: its DevNonce is unknown, no keys can be derived',
  },
  LORA_KEY: {
    code: 'DEVICE_LORA_SETTINGS',
    en: '{field} must be {bytes} bytes in hex ({digits} digits), got "{value}"',
  },
  LORA_ACTIVATION: {
    code: 'DEVICE_LORA_SETTINGS',
    en: '{device}: {activation} needs {fields}',
  },
  LORA_UPLINK_NOT_JSON: {
    code: 'DEVICE_LORA_INPUT',
    en: 'the uplink event is not JSON: {reason}',
  },
  LORA_UPLINK_UNKNOWN: {
    code: 'DEVICE_LORA_INPUT',
    en: 'neither a ChirpStack up event (deviceInfo) nor a The Things Stack uplink (end_device_ids, uplink_message); it has {keys}',
  },
  LORA_UPLINK_NO_DEVICE: {
    code: 'DEVICE_LORA_INPUT',
    en: 'the uplink names no DevEUI: its readings cannot be named',
  },
  LORA_GATEWAY_HEADER: {
    code: 'DEVICE_LORA_GATEWAY',
    en: 'a Semtech UDP datagram has at least 4 bytes (version, token, type), this one {length}',
  },
  LORA_GATEWAY_SHORT: {
    code: 'DEVICE_LORA_GATEWAY',
    en: 'a {kind} has at least {min} bytes, this one {length}',
  },
  LORA_GATEWAY_VERSION: {
    code: 'DEVICE_LORA_GATEWAY',
    en: 'protocol version {version} is not Semtech UDP 1 or 2',
  },
  LORA_GATEWAY_TYPE: {
    code: 'DEVICE_LORA_GATEWAY',
    en: 'datagram type {type} is not one a gateway sends in Semtech UDP version {version}',
  },
  LORA_GATEWAY_EUI: {
    code: 'DEVICE_LORA_GATEWAY',
    en: 'the gateway EUI of a {kind} has 8 bytes, this one {length}',
  },
  LORA_GATEWAY_JSON: {
    code: 'DEVICE_LORA_GATEWAY',
    en: 'the JSON of a {kind} from gateway {gateway} cannot be read: {reason}',
  },
  LORA_GATEWAY_NOT_OBJECT: {
    code: 'DEVICE_LORA_GATEWAY',
    en: 'the JSON of a {kind} from gateway {gateway} is not an object: {value}',
  },
  LORA_GATEWAY_RXPK: {
    code: 'DEVICE_LORA_GATEWAY',
    en: 'rxpk from gateway {gateway} is not an array: {value}',
  },
  LORA_GATEWAY_RXPK_ITEM: {
    code: 'DEVICE_LORA_GATEWAY',
    en: 'rxpk {index} from gateway {gateway} is not an object: {value}',
  },
  LORA_GATEWAY_DATA: {
    code: 'DEVICE_LORA_GATEWAY',
    en: 'rxpk {index} from gateway {gateway}: data is not base64: {value}',
  },
  LORA_GATEWAY_SIZE: {
    code: 'DEVICE_LORA_GATEWAY',
    en: 'rxpk {index} from gateway {gateway}: size says {size} bytes, data holds {length}',
  },
} as const satisfies MessageTable;

export type LoraMessageId = keyof typeof LORA_MESSAGES;

/** A LoRaWAN frame that cannot be taken, or device settings that cannot work. */
export class LoraError extends SenfedError {
  constructor(
    messageId: LoraMessageId,
    params: SentenceParams = {},
    options?: { cause?: unknown },
  ) {
    super(messageId, LORA_MESSAGES[messageId], params, options);
    this.name = 'LoraError';
  }
}
