import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { IdList } from '../../common/http/id-list.js';
import { SortablePageQuery } from '../../common/pagination/page-query.dto.js';
import { RoleRefDto } from '../../roles/dto/role.dto.js';
import type { ClientStatus, ClientType, OAuthClient } from '../client.entity.js';

/** The grants a client may be given (docs/api.md §9). The second-factor grant comes with `password`. */
export const CLIENT_GRANTS = ['authorization_code', 'refresh_token', 'client_credentials', 'password'] as const;
export type ClientGrant = (typeof CLIENT_GRANTS)[number];

/** The scopes of docs/api.md §9. */
export const CLIENT_SCOPES = ['openid', 'profile', 'email', 'phone', 'offline_access', 'roles'] as const;

export const CLIENT_ID = /^[a-z0-9][a-z0-9_.-]{2,63}$/;
const TYPES: ClientType[] = ['confidential', 'public'];
const STATUSES: ClientStatus[] = ['active', 'disabled'];
/** At most this many redirect URIs: a client with more is a misconfiguration. */
const MAX_URIS = 20;
/** 30 days: the longest a previous secret may keep working after a rotation. */
export const MAX_SECRET_GRACE = 30 * 86_400;

export class ClientDto {
  @ApiProperty({ format: 'uuid', example: '7c9e6679-7425-40de-944b-e07fc1f90ae7' }) id: string;
  @ApiProperty({ example: 'billing-web', description: 'What the client sends as client_id' }) client_id: string;
  @ApiProperty({ example: 'Billing web app' }) name: string;
  @ApiProperty({ enum: TYPES, example: 'confidential' }) type: ClientType;
  @ApiProperty({ type: [String], example: ['https://billing.example.com/callback'] }) redirect_uris: string[];
  @ApiProperty({ type: [String], example: ['https://billing.example.com/'] }) post_logout_redirect_uris: string[];
  @ApiProperty({ type: [String], enum: CLIENT_GRANTS, example: ['authorization_code', 'refresh_token'] }) grant_types: ClientGrant[];
  @ApiProperty({ type: [String], enum: CLIENT_SCOPES, example: ['openid', 'profile', 'email'] }) scopes: string[];
  @ApiProperty({ type: [RoleRefDto], description: 'The roles of its service account (client_credentials tokens)' }) roles: RoleRefDto[];
  @ApiProperty({ example: false, description: 'First-party clients skip the consent page' }) first_party: boolean;
  @ApiProperty({ enum: STATUSES, example: 'active' }) status: ClientStatus;
  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-01-01T12:00:00.000Z' }) updated_at: string;
}

/** A confidential client with its secret: shown once, at creation and at rotation. */
export class ClientWithSecretDto extends ClientDto {
  @ApiProperty({ example: 'pZ3n0aV7uK2mQ9xT4cW8yB1rL6dF5hJ0sE3gN7kA2iU', description: 'Shown once; stored only as a SHA-256 digest' })
  client_secret: string;
}

/** The fields a client is created with; every field but `name` and `type` optional. */
export class CreateClientDto {
  @ApiProperty({ example: 'Billing web app', maxLength: 128 })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name: string;

  @ApiProperty({
    enum: TYPES,
    example: 'confidential',
    description: '`public` clients (SPAs, native apps) have no secret and must use PKCE',
  })
  @IsIn(TYPES)
  type: ClientType;

  @ApiPropertyOptional({ example: 'billing-web', pattern: CLIENT_ID.source, description: 'Generated when absent' })
  @IsOptional()
  @IsString()
  @Matches(CLIENT_ID, { message: `client_id must match ${CLIENT_ID.source}` })
  client_id?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['https://billing.example.com/callback'],
    description: 'Matched exactly. `http` only for loopback hosts (RFC 8252), `https` otherwise. Required for authorization_code.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_URIS)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(2048, { each: true })
  redirect_uris?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['https://billing.example.com/'],
    description: 'Where RP-initiated logout may return; same rules',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_URIS)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(2048, { each: true })
  post_logout_redirect_uris?: string[];

  @ApiProperty({
    type: [String],
    enum: CLIENT_GRANTS,
    example: ['client_credentials'],
    description: '`password` and `client_credentials` are for confidential clients only',
  })
  @IsArray()
  @ArrayMaxSize(CLIENT_GRANTS.length)
  @ArrayUnique()
  @IsIn(CLIENT_GRANTS, { each: true })
  grant_types: ClientGrant[];

  @ApiPropertyOptional({
    type: [String],
    enum: CLIENT_SCOPES,
    example: ['openid', 'profile', 'email'],
    description: 'The scopes it may ask for. Default: all of them',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CLIENT_SCOPES.length)
  @ArrayUnique()
  @IsIn(CLIENT_SCOPES, { each: true })
  scopes?: string[];

  @ApiPropertyOptional({
    type: [Number],
    example: [2],
    description: 'Roles of its service account; only roles the caller could assign (403 otherwise)',
  })
  @IdList({ optional: true })
  role_ids?: number[];

  @ApiPropertyOptional({ example: false, description: 'Skip the consent page (clients of the organisation itself)' })
  @IsOptional()
  @IsBoolean()
  first_party?: boolean;
}

/** Every field optional; `type` and `client_id` cannot change. */
export class UpdateClientDto {
  @ApiPropertyOptional({ example: 'Billing web app', maxLength: 128 })
  @ValidateIf((o: UpdateClientDto) => o.name !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name?: string;

  @ApiPropertyOptional({ type: [String], example: ['https://billing.example.com/callback'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_URIS)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(2048, { each: true })
  redirect_uris?: string[];

  @ApiPropertyOptional({ type: [String], example: ['https://billing.example.com/'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_URIS)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(2048, { each: true })
  post_logout_redirect_uris?: string[];

  @ApiPropertyOptional({ type: [String], enum: CLIENT_GRANTS, example: ['authorization_code', 'refresh_token'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CLIENT_GRANTS.length)
  @ArrayUnique()
  @IsIn(CLIENT_GRANTS, { each: true })
  grant_types?: ClientGrant[];

  @ApiPropertyOptional({ type: [String], enum: CLIENT_SCOPES, example: ['openid', 'profile'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(CLIENT_SCOPES.length)
  @ArrayUnique()
  @IsIn(CLIENT_SCOPES, { each: true })
  scopes?: string[];

  @ApiPropertyOptional({ type: [Number], example: [2], description: 'Replaces the set' })
  @IdList({ optional: true })
  role_ids?: number[];

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  first_party?: boolean;

  @ApiPropertyOptional({ enum: STATUSES, description: 'Disabling ends its grants and tokens' })
  @ValidateIf((o: UpdateClientDto) => o.status !== undefined)
  @IsIn(STATUSES)
  status?: ClientStatus;
}

export class RotateSecretDto {
  @ApiPropertyOptional({
    example: 3600,
    minimum: 0,
    maximum: MAX_SECRET_GRACE,
    description: 'Seconds the previous secret keeps working (default 0, at most 30 days)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_SECRET_GRACE)
  grace_seconds?: number;
}

export const CLIENT_SORTS = ['client_id', 'name', 'created_at', 'updated_at'] as const;

/** keyword: client_id or name. Default order: created_at ascending. */
export class ListClientsQuery extends SortablePageQuery(CLIENT_SORTS) {}

const iso = (d: Date) => new Date(d).toISOString();

export function toClientDto(c: OAuthClient): ClientDto {
  return {
    id: c.id,
    client_id: c.clientId,
    name: c.name,
    type: c.type,
    redirect_uris: c.redirectUris,
    post_logout_redirect_uris: c.postLogoutRedirectUris,
    grant_types: c.grantTypes as ClientGrant[],
    scopes: c.scopes,
    roles: (c.roles ?? []).map((r) => ({ id: r.id, code: r.code, name: r.name })).sort((a, b) => a.id - b.id),
    first_party: Boolean(c.firstParty),
    status: c.status,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}
