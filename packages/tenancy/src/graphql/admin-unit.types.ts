import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from './connection.js';

export enum AdminLevel {
  COUNTRY = 'COUNTRY',
  REGION = 'REGION',
  COUNTY = 'COUNTY',
  TOWNSHIP = 'TOWNSHIP',
  VILLAGE = 'VILLAGE',
}
registerEnumType(AdminLevel, { name: 'AdminLevel', description: 'Level in the administrative tree (全国, 省/区/盟市, 旗县, 苏木乡镇, 嘎查村); COUNTRY is its one root' });

export enum VillageEconomy {
  FARMING = 'FARMING',
  PASTORAL = 'PASTORAL',
}
registerEnumType(VillageEconomy, { name: 'VillageEconomy', description: 'Farming village (村) or pastoral gacha (嘎查)' });

@ObjectType({ description: 'A unit of the administrative tree. Resolvers receive the database row; `id` is opaque.' })
export class AdminUnit {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: '12-digit official statistical division code (统计用区划代码)' }) code!: string;
  @Field(() => String) name!: string;
  @Field(() => AdminLevel) level!: AdminLevel;
  @Field(() => Int, { nullable: true }) population!: number | null;
  @Field(() => Int, { nullable: true }) households!: number | null;
  @Field(() => Int, { nullable: true }) partyMembers!: number | null;
  @Field(() => VillageEconomy, { nullable: true }) economy!: VillageEconomy | null;
  @Field(() => Boolean, { description: 'an urban community (社区) rather than a rural village' }) urban!: boolean;
}

export const AdminUnitConnection = Connection(AdminUnit, 'AdminUnit');

@ObjectType({ description: '撤乡并镇 on record: a unit moved from one parent to another on a day' })
export class AdminUnitMove {
  @Field(() => ID) id!: string;
  @Field(() => AdminUnit, { nullable: true, description: 'the unit that moved (null when out of your scope now)' }) unit!: unknown;
  @Field(() => String, { description: 'the day of the move (yyyy-mm-dd): figures of years ended before it place the unit under its old parent' }) movedOn!: string;
  @Field(() => AdminUnit, { nullable: true, description: 'null when out of your scope, or when the unit stood at the top of the tree' }) fromParent!: unknown;
  @Field(() => String, { nullable: true, description: "the old parent's name at the time" }) fromParentName!: string | null;
  @Field(() => AdminUnit, { nullable: true, description: 'null when out of your scope' }) toParent!: unknown;
  @Field(() => String, { description: "the new parent's name at the time" }) toParentName!: string;
  @Field(() => String, { nullable: true, description: 'the username of whoever moved it, when visible to you' }) movedBy!: string | null;
}

@ObjectType()
export class LevelCount {
  @Field(() => AdminLevel) level!: AdminLevel;
  @Field(() => Int) count!: number;
}

@ObjectType()
export class User {
  @Field(() => ID) id!: string;
  @Field(() => String) username!: string;
  @Field(() => String) displayName!: string;
  @Field(() => [String]) roles!: string[];
  @Field(() => Boolean) disabled!: boolean;
}

export const UserConnection = Connection(User, 'User');

@ObjectType()
export class AuthPayload {
  @Field(() => String, { description: 'a signed JWT; send it as `Authorization: Bearer <token>`' }) token!: string;
  @Field(() => User) user!: User;
}

@ObjectType({ description: 'The caller: account, home unit and scope (the subtrees they can see)' })
export class Me {
  @Field(() => User) user!: User;
  @Field(() => AdminUnit) unit!: AdminUnit;
  @Field(() => [AdminUnit], { description: 'roots of the subtrees in scope' }) scope!: AdminUnit[];
  @Field(() => [String], { description: 'actions (area:verb) the caller may perform' }) actions!: string[];
}
