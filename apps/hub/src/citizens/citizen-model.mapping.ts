import { CitizenConsentsModel, ConsentActionModel, type ConsentReceiptModel, DelegationDirectionModel, type DelegationModel } from './citizen.model.js';
import type { ConsentReceiptView, ConsentsView, DelegationView } from './citizen.views.js';

/** Views carry plain string unions; GraphQL enums are TypeScript enums, so these two shapes are mapped here. */
export function toReceiptModel(view: ConsentReceiptView): ConsentReceiptModel {
  const { action, ...rest } = view;
  return { ...rest, action: action === 'granted' ? ConsentActionModel.granted : ConsentActionModel.withdrawn };
}

export const toConsentsModel = (view: ConsentsView): CitizenConsentsModel => ({ current: view.current, history: view.history.map(toReceiptModel) });

export function toDelegationModel(view: DelegationView): DelegationModel {
  const { direction, ...rest } = view;
  return { ...rest, direction: direction === 'ACTS_FOR_ME' ? DelegationDirectionModel.ACTS_FOR_ME : DelegationDirectionModel.I_ACT_FOR };
}
